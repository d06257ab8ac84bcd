using Gdpr.Erasure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>Runs the retention sweeper periodically in a host, with delays from <see cref="TimeProvider"/>.</summary>
internal sealed class RetentionSweeperService(
    IRetentionSweeper sweeper,
    IOptions<RetentionSweeperOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeperService>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<RetentionSweeperService>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Do not hold up the host's start with the first sweep.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A failed sweep (a store outage) must not stop the host or later sweeps.
                ErasureLog.SweepRunFailed(_logger, ScopeDestroyer.TypeName(ex));
            }

            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
