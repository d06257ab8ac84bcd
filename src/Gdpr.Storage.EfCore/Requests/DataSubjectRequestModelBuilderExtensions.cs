using Gdpr.Requests;
using Gdpr.Storage.EfCore.Model;
using Gdpr.Storage.EfCore.Requests;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore;

/// <summary>Maps and registers the EF Core data-subject request store.</summary>
public static class DataSubjectRequestModelBuilderExtensions
{
    /// <summary>The table of data-subject requests.</summary>
    public const string TableName = "gdpr_data_subject_requests";

    /// <summary>Adds the data-subject requests' table to the application's model (call it from <c>OnModelCreating</c>).</summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprDataSubjectRequests(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<DataSubjectRequestRow>(e =>
        {
            e.ToTable(TableName);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
            e.Property(x => x.ReceivedAtUtcTicks).HasColumnName("received_at_utc_ticks");
            e.Property(x => x.ReceivedAtOffsetMinutes).HasColumnName("received_at_offset_minutes");
            e.Property(x => x.ReceivedOn).HasColumnName("received_on");
            e.Property(x => x.TimeZoneId).HasColumnName("time_zone_id").HasMaxLength(100).IsRequired();
            e.Property(x => x.Channel).HasColumnName("channel");
            e.Property(x => x.AgentId).HasColumnName("agent_id").HasMaxLength(200);
            e.Property(x => x.OnBehalfOfSubject).HasColumnName("on_behalf_of_subject");
            e.Property(x => x.Subject).HasColumnName("subject").HasMaxLength(GdprTableConventions.SubjectMaxLength).IsRequired();
            e.Property(x => x.EncryptedRequester).HasColumnName("encrypted_requester").IsRequired();
            e.Property(x => x.Rights).HasColumnName("rights").IsRequired();
            e.Property(x => x.RightsMask).HasColumnName("rights_mask");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.OriginalDue).HasColumnName("original_due");
            e.Property(x => x.Due).HasColumnName("due");
            e.Property(x => x.InternalTarget).HasColumnName("internal_target");
            e.Property(x => x.ExtensionReasons).HasColumnName("extension_reasons").HasMaxLength(2000);
            e.Property(x => x.ExtensionNoticeUtcTicks).HasColumnName("extension_notice_utc_ticks");
            e.Property(x => x.ExtendedDue).HasColumnName("extended_due");
            e.Property(x => x.RefusalGround).HasColumnName("refusal_ground");
            e.Property(x => x.RefusalReason).HasColumnName("refusal_reason").HasMaxLength(2000);
            e.Property(x => x.RefusalNoticeUtcTicks).HasColumnName("refusal_notice_utc_ticks");
            e.Property(x => x.FeeAmount).HasColumnName("fee_amount").HasPrecision(18, 4);
            e.Property(x => x.FeeCurrency).HasColumnName("fee_currency").HasMaxLength(3);
            e.Property(x => x.FeeGround).HasColumnName("fee_ground");
            e.Property(x => x.FeeRecordedUtcTicks).HasColumnName("fee_recorded_utc_ticks");
            e.Property(x => x.IdentityCode).HasColumnName("identity_code");
            e.Property(x => x.IdentityCodeIssuedUtcTicks).HasColumnName("identity_code_issued_utc_ticks");
            e.Property(x => x.IdentityCodeExpiresUtcTicks).HasColumnName("identity_code_expires_utc_ticks");
            e.Property(x => x.IdentityCodeFailedAttempts).HasColumnName("identity_code_failed_attempts");
            e.Property(x => x.IdentityCodesIssued).HasColumnName("identity_codes_issued");
            e.Property(x => x.IdentityMethod).HasColumnName("identity_method").HasMaxLength(100);
            e.Property(x => x.VerifiedAtUtcTicks).HasColumnName("verified_at_utc_ticks");
            e.Property(x => x.ClosedAtUtcTicks).HasColumnName("closed_at_utc_ticks");
            e.Property(x => x.Version).HasColumnName("version").IsConcurrencyToken();
            e.HasIndex(x => new { x.Due, x.ReceivedAtUtcTicks });
            e.HasIndex(x => x.Subject);
        });
        return modelBuilder;
    }

    /// <summary>
    /// Keeps data-subject requests in the application's database instead of in memory. The DbContext must call
    /// <see cref="AddGdprDataSubjectRequests"/> and be registered with <c>AddDbContextFactory</c>; a missing call fails
    /// when the host starts (<see cref="GdprRegistrationException"/>), naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreDataSubjectRequests<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.UseStore<IDataSubjectRequestStore, EfCoreDataSubjectRequestStore<TContext>, TContext>(builder.Services, EfCoreContextRole.DataSubjectRequests);
        return builder;
    }
}
