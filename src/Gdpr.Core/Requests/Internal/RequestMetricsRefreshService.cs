using Gdpr.Erasure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Requests;

/// <summary>
/// Recounts the <c>gdpr.requests.open</c> and <c>gdpr.requests.overdue</c> gauges in a host, so that a request becomes
/// overdue in the gauge when its last day has passed and not only at its next transition (GDPR Art. 12(3)). It wakes
/// at every midnight of the controller's time zone, when requests become overdue, and every
/// <see cref="RequestOptions.MetricsRefreshInterval"/> in between (other processes' requests); delays come from
/// <see cref="TimeProvider"/>, as the retention sweeper's do.
/// </summary>
internal sealed class RequestMetricsRefreshService(
    IDataSubjectRequestService requests,
    RequestClock clock,
    IOptions<RequestOptions> options,
    TimeProvider time,
    ILogger<RequestMetricsRefreshService>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<RequestMetricsRefreshService>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Do not hold up the host's start with the first count.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await requests.RefreshMetricsAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A store outage must not stop the host or later counts; the gauges keep their last values.
                RequestsLog.MetricsRefreshFailed(_logger, ScopeDestroyer.TypeName(ex));
            }

            try
            {
                await Task.Delay(NextDelay(time.GetUtcNow()), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Until the next local midnight (when a last day passes), or the interval if that comes first.</summary>
    internal TimeSpan NextDelay(DateTimeOffset now)
    {
        var midnight = clock.LocalDate(now).AddDays(1).ToDateTime(TimeOnly.MinValue);
        var untilMidnight = new DateTimeOffset(midnight, clock.TimeZone.GetUtcOffset(midnight)) - now;
        var interval = options.Value.MetricsRefreshInterval;
        return untilMidnight > TimeSpan.Zero && untilMidnight < interval ? untilMidnight : interval;
    }
}
