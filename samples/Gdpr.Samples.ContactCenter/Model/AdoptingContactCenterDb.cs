using Gdpr.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gdpr.Samples.ContactCenter.Model;

/// <summary>
/// The sample's model while a legacy database is taken under the SDK (docs/migrations.md, steps 1 to 3): every
/// annotated entity keeps its old plaintext columns (<c>HasLegacyPlaintextColumns()</c>) beside the personal-data
/// column, so that the migration to it drops nothing. Used only by the <c>migrate</c> verb.
/// </summary>
public sealed class AdoptingContactCenterDb(DbContextOptions<AdoptingContactCenterDb> options) : ContactCenterTables(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        Keep(modelBuilder.Entity<Customer>());
        Keep(modelBuilder.Entity<ChatSession>());
        Keep(modelBuilder.Entity<CallRecord>());
        Keep(modelBuilder.Entity<Invoice>());
        Keep(modelBuilder.Entity<InterestProfile>());
    }

    /// <summary>
    /// Keeps the entity's plaintext columns. The legacy database has rows without a customer number: the column stays
    /// nullable while they are there (the pass refuses and lists them) and becomes required with the drop migration,
    /// which runs only after the verification passed.
    /// </summary>
    private static void Keep<TEntity>(EntityTypeBuilder<TEntity> entity)
        where TEntity : class
        => entity.HasLegacyPlaintextColumns().Property<string>("CustomerNumber").IsRequired(false);
}
