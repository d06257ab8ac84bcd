using Gdpr.Storage.EfCore.Model;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Retention;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore;

/// <summary>Maps and registers the EF Core retention schedule.</summary>
public static class RetentionModelBuilderExtensions
{
    /// <summary>The table of (subject pseudonym, scope, destroy-after).</summary>
    public const string ScheduleTableName = "gdpr_retention_schedule";

    /// <summary>The table of relationship ends per subject pseudonym.</summary>
    public const string RelationshipEndTableName = "gdpr_relationship_ends";

    /// <summary>Adds the retention schedule's tables to the application's model (call it from <c>OnModelCreating</c>).</summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprRetentionSchedule(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<RetentionScheduleRow>(e =>
        {
            e.ToTable(ScheduleTableName);
            e.HasKey(x => new { x.Subject, x.Scope });
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(GdprTableConventions.SubjectMaxLength);
            e.Property(x => x.Scope).HasColumnName("scope").HasMaxLength(GdprTableConventions.ScopeMaxLength);
            e.Property(x => x.DestroyAfterUtcTicks).HasColumnName("destroy_after_utc_ticks");
            e.HasIndex(x => x.DestroyAfterUtcTicks);
        });
        modelBuilder.Entity<RelationshipEndRow>(e =>
        {
            e.ToTable(RelationshipEndTableName);
            e.HasKey(x => x.Subject);
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(GdprTableConventions.SubjectMaxLength);
            e.Property(x => x.EndedAtUtcTicks).HasColumnName("ended_at_utc_ticks");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Keeps the retention schedule in the application's database instead of in memory. The DbContext must call
    /// <see cref="AddGdprRetentionSchedule"/> and be registered with <c>AddDbContextFactory</c>; a
    /// missing call fails when the host starts (<see cref="GdprRegistrationException"/>), naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreRetentionSchedule<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.UseStore<IRetentionScheduleStore, EfCoreRetentionScheduleStore<TContext>, TContext>(builder.Services, EfCoreContextRole.RetentionSchedule);
        return builder;
    }
}
