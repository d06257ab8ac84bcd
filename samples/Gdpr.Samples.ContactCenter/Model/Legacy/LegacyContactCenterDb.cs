using Microsoft.EntityFrameworkCore;

namespace Gdpr.Samples.ContactCenter.Model.Legacy;

/// <summary>
/// The contact center's database before the SDK: plaintext columns, no SDK tables, no keys. The <c>migrate</c> verb
/// computes its migration from this model to <see cref="AdoptingContactCenterDb"/>, as <c>dotnet ef migrations add</c>
/// would from the last migration's snapshot.
/// </summary>
public sealed class LegacyContactCenterDb(DbContextOptions<LegacyContactCenterDb> options) : DbContext(options)
{
    public DbSet<LegacyCustomer> Customers => Set<LegacyCustomer>();

    public DbSet<LegacyChatSession> ChatSessions => Set<LegacyChatSession>();

    public DbSet<LegacyCallRecord> CallRecords => Set<LegacyCallRecord>();

    public DbSet<LegacyInvoice> Invoices => Set<LegacyInvoice>();

    public DbSet<LegacyInterestProfile> InterestProfiles => Set<LegacyInterestProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // The same tables and indexes as the application's model (ContactCenterTables): only the columns differ.
        modelBuilder.Entity<LegacyCustomer>().ToTable("Customers").HasIndex(c => c.CustomerNumber).IsUnique();
        modelBuilder.Entity<LegacyChatSession>().ToTable("ChatSessions").HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<LegacyCallRecord>().ToTable("CallRecords").HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<LegacyInvoice>().ToTable("Invoices").HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<LegacyInterestProfile>().ToTable("InterestProfiles").HasIndex(c => c.CustomerNumber);
    }
}
