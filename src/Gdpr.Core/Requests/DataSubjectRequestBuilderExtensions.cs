using Gdpr.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// In the root namespace, next to AddGdpr, so the builder methods are found without another using.
namespace Gdpr;

/// <summary>Registers the data-subject request workflow (GDPR Art. 12, 15-21, 7(3)).</summary>
public static class DataSubjectRequestBuilderExtensions
{
    /// <summary>
    /// Adds the request workflow: the legal clock, identity verification (one-time code, agent's attestation), the
    /// state machine with its audit trail, and an in-memory request store unless another
    /// <see cref="IDataSubjectRequestStore"/> is registered (allowed only with <see cref="GdprServiceCollectionExtensions.UseInMemoryStores"/>).
    /// <see cref="RequestOptions.TimeZone"/>, <see cref="RequestOptions.HolidayCalendar"/> and the retention policy
    /// <see cref="RequestOptions.RetentionPolicy"/> names are required and validated when the host starts. Register an
    /// <see cref="IOneTimeCodeSender"/> to send codes, and further <see cref="IIdentityVerifier"/>s as you need.
    /// <see cref="IDataSubjectRequestExecutor"/> carries rights out through the exporter and the erasure service; in a
    /// host, a hosted service recounts the open and overdue gauges at every local midnight and every
    /// <see cref="RequestOptions.MetricsRefreshInterval"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddDataSubjectRequests(this IGdprBuilder builder, Action<RequestOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<RequestOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestOptions>, RequestOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RequestOptions>>().Value;
            return new RequestClock(options.TimeZone!, options.HolidayCalendar!, options.InternalTargetDaysBeforeDue);
        });
        services.TryAddSingleton<IDataSubjectRequestStore, InMemoryDataSubjectRequestStore>();
        services.TryAddSingleton<RequestKeys>();
        services.TryAddSingleton<RequesterEnvelope>();
        services.TryAddSingleton<OneTimeCodeVerifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIdentityVerifier, OneTimeCodeVerifier>(sp => sp.GetRequiredService<OneTimeCodeVerifier>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIdentityVerifier, AgentAttestationVerifier>());
        services.TryAddSingleton<DataSubjectRequestService>();
        services.TryAddSingleton<IDataSubjectRequestService>(sp => sp.GetRequiredService<DataSubjectRequestService>());
        services.TryAddSingleton<IDataSubjectRequestExecutor, DataSubjectRequestExecutor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RequestMetricsRefreshService>());
        return builder;
    }
}
