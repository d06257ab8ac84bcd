using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore;

/// <summary>Adds all of the SDK's tables to an EF Core model in one call.</summary>
public static class GdprTablesModelBuilderExtensions
{
    /// <summary>
    /// Adds the tables of every EF store — key store (<see cref="GdprKeyStoreModelBuilderExtensions.AddGdprKeyStore"/>),
    /// audit trail (<see cref="AuditModelBuilderExtensions.AddGdprAuditTrail"/>), retention schedule
    /// (<see cref="RetentionModelBuilderExtensions.AddGdprRetentionSchedule"/>) and legal holds
    /// (<see cref="LegalHoldModelBuilderExtensions.AddGdprLegalHolds"/>) — to the model; call it from
    /// <c>OnModelCreating</c> of the context given to <see cref="GdprEfCoreBuilderExtensions.UseEfCoreStores{TContext}"/>.
    /// The tables then come with <c>EnsureCreated</c> and with the application's next migration.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprTables(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        return modelBuilder
            .AddGdprKeyStore()
            .AddGdprAuditTrail()
            .AddGdprRetentionSchedule()
            .AddGdprLegalHolds()
            .AddGdprDataSubjectRequests();
    }
}
