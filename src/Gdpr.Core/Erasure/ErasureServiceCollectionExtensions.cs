using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.Erasure;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// In the root namespace, next to AddGdpr, so the builder methods are found without another using.
namespace Gdpr;

/// <summary>Registers erasure, retention, legal holds, the audit trail and erasure certificates.</summary>
public static class ErasureServiceCollectionExtensions
{
    /// <summary>
    /// Adds a retention policy (GDPR Art. 5(1)(e)); its name is the key scope that
    /// <see cref="PersonalDataAttribute.RetentionPolicy"/> refers to. Policies are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="policy">The policy.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddRetentionPolicy(this IGdprBuilder builder, RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(policy);
        builder.Services.Configure<GdprOptions>(o => o.RetentionPolicies.Add(policy));
        return builder;
    }

    /// <summary>
    /// Keeps the Ed25519 key that signs erasure certificates in <paramref name="directory"/> (created when missing;
    /// the key file is readable by the owner only), next to its public key as PEM.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseCertificateSigningKey(this IGdprBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        builder.Services.Configure<ErasureCertificateOptions>(o => o.Directory = directory);
        return builder;
    }

    /// <summary>Runs the retention sweeper in the host, once at start and then every <see cref="RetentionSweeperOptions.Interval"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the interval and batch size, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddRetentionSweeper(this IGdprBuilder builder, Action<RetentionSweeperOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionSweeperService>());
        return builder;
    }

    /// <summary>The erasure part of <see cref="GdprServiceCollectionExtensions.AddGdpr"/>: in-memory stores unless others are registered.</summary>
    internal static void AddGdprErasure(this IServiceCollection services)
    {
        services.AddOptions<ErasureCertificateOptions>();
        services.AddOptions<RetentionSweeperOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionSweeperOptions>, RetentionSweeperOptionsValidator>());

        services.TryAddSingleton<RetentionPolicyCatalog>();
        services.TryAddSingleton<RetentionObligations>();
        services.TryAddSingleton<ScopeDestroyer>();
        services.TryAddSingleton<IRetentionScheduleStore, InMemoryRetentionScheduleStore>();
        services.TryAddSingleton<IRetentionScheduler, RetentionScheduler>();
        services.TryAddSingleton<ILegalHoldStore, InMemoryLegalHoldStore>();
        services.TryAddSingleton<ILegalHoldService, LegalHoldService>();
        services.TryAddSingleton<IAuditStore, InMemoryAuditStore>();
        services.TryAddSingleton<IAuditTrail, AuditTrail>();
        services.TryAddSingleton<CertificateSigningKey>();
        services.TryAddSingleton<IErasureCertificateIssuer, ErasureCertificateIssuer>();
        services.TryAddSingleton<ErasureService>(); // also the request executor's, for an objection's scopes (Art. 21(3))
        services.TryAddSingleton<IErasureService>(sp => sp.GetRequiredService<ErasureService>());
        services.TryAddSingleton<IRetentionSweeper, RetentionSweeper>();
    }
}
