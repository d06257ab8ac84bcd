using Gdpr.Storage.EfCore;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Samples.ContactCenter.Model;

/// <summary>
/// The contact center's database: its own tables, plus the SDK's key store, audit trail, retention schedule, legal
/// holds and data-subject requests in the same SQLite file. Personal data is encrypted by the adapter (<c>UseGdpr</c>) — nothing here
/// mentions it.
/// </summary>
public sealed class ContactCenterDb(DbContextOptions<ContactCenterDb> options) : ContactCenterTables(options);

/// <summary>
/// The contact center's tables and the SDK's, shared by <see cref="ContactCenterDb"/> (the application) and
/// <see cref="AdoptingContactCenterDb"/> (the same model while a legacy database's plaintext is being encrypted).
/// </summary>
public abstract class ContactCenterTables(DbContextOptions options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<ChatSession> ChatSessions => Set<ChatSession>();

    public DbSet<CallRecord> CallRecords => Set<CallRecord>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InterestProfile> InterestProfiles => Set<InterestProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().HasIndex(c => c.CustomerNumber).IsUnique();
        modelBuilder.Entity<ChatSession>().HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<CallRecord>().HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<Invoice>().HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<InterestProfile>().HasIndex(c => c.CustomerNumber);

        modelBuilder.AddGdprKeyStore();
        modelBuilder.AddGdprAuditTrail();
        modelBuilder.AddGdprRetentionSchedule();
        modelBuilder.AddGdprLegalHolds();
        modelBuilder.AddGdprDataSubjectRequests();
    }
}
