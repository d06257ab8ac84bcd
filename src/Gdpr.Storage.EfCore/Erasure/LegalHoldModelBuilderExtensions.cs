using Gdpr.Storage.EfCore.Model;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Gdpr.Storage.EfCore.Erasure;

namespace Gdpr.Storage.EfCore;

/// <summary>Maps and registers the EF Core legal-hold store.</summary>
public static class LegalHoldModelBuilderExtensions
{
    /// <summary>The table of legal holds.</summary>
    public const string TableName = "gdpr_legal_holds";

    /// <summary>Adds the legal holds' table to the application's model (call it from <c>OnModelCreating</c>).</summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprLegalHolds(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<LegalHoldRow>(e =>
        {
            e.ToTable(TableName);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(GdprTableConventions.SubjectMaxLength).IsRequired();
            e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(500).IsRequired();
            e.Property(x => x.PlacedAtUtcTicks).HasColumnName("placed_at_utc_ticks");
            e.Property(x => x.ReleasedAtUtcTicks).HasColumnName("released_at_utc_ticks");
            e.HasIndex(x => new { x.Subject, x.ReleasedAtUtcTicks });
        });
        return modelBuilder;
    }

    /// <summary>
    /// Keeps legal holds in the application's database instead of in memory. The DbContext must call
    /// <see cref="AddGdprLegalHolds"/> and be registered with <c>AddDbContextFactory</c>; a
    /// missing call fails when the host starts (<see cref="GdprRegistrationException"/>), naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreLegalHolds<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.UseStore<ILegalHoldStore, EfCoreLegalHoldStore<TContext>, TContext>(builder.Services, EfCoreContextRole.LegalHolds);
        return builder;
    }
}
