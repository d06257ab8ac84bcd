using Gdpr.Storage.EfCore.Model;
using Gdpr.Audit;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore;

/// <summary>Maps and registers the EF Core audit trail.</summary>
public static class AuditModelBuilderExtensions
{
    /// <summary>The table that holds the audit trail.</summary>
    public const string TableName = "gdpr_audit_entries";

    /// <summary>Adds the audit trail's table to the application's model (call it from <c>OnModelCreating</c>).</summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprAuditTrail(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<AuditEntryRow>(e =>
        {
            e.ToTable(TableName);
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedNever();
            e.Property(x => x.TimestampUtcTicks).HasColumnName("timestamp_utc_ticks");
            e.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(100).IsRequired();
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(GdprTableConventions.SubjectMaxLength);
            e.Property(x => x.Details).HasColumnName("details").IsRequired();
            e.Property(x => x.PreviousHash).HasColumnName("previous_hash").HasMaxLength(64).IsRequired();
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(64).IsRequired();
            e.HasIndex(x => x.Subject);
        });
        return modelBuilder;
    }

    /// <summary>
    /// Keeps the audit trail in the application's database instead of in memory. The DbContext must call
    /// <see cref="AddGdprAuditTrail"/> and be registered with <c>AddDbContextFactory</c>; a
    /// missing call fails when the host starts (<see cref="GdprRegistrationException"/>), naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreAuditTrail<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.UseStore<IAuditStore, EfCoreAuditStore<TContext>, TContext>(builder.Services, EfCoreContextRole.AuditTrail);
        return builder;
    }
}
