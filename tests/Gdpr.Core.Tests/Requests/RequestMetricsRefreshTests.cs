using System.Diagnostics.Metrics;
using Gdpr.Requests;
using Gdpr.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace Gdpr.Core.Tests.Requests;

public class RequestMetricsRefreshTests
{
    // Art. 12(3): a request whose last day has passed is overdue in the gauge from the controller's midnight on,
    // with no transition of any request to recount it: the hosted service wakes at local midnight.
    [Fact]
    public async Task HostedRefresh_RequestBecomesOverdueInTheGauge_AtTheControllersMidnight_Art12_3()
    {
        var time = new TimerWatchingTimeProvider(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
        await using var host = RequestTestHost.Create(time: time, configure: o => o.MetricsRefreshInterval = TimeSpan.FromDays(1));
        using var overdue = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Gdpr", "gdpr.requests.overdue");
        var request = await host.SubmitAsync();
        Assert.Equal(new DateOnly(2026, 4, 2), request.Due); // Thu 2 April 2026

        // 09:00 in Amsterdam (CEST) on the last day: still due, and 15 hours to the local midnight.
        time.SetUtcNow(new DateTimeOffset(2026, 4, 2, 7, 0, 0, TimeSpan.Zero));
        var service = Assert.Single(host.Services.GetServices<IHostedService>(), s => s is RequestMetricsRefreshService);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await time.WaitForTimerAsync(TimeSpan.FromHours(15)); // the first count is done; it waits for midnight
            Assert.Equal(0, Observe(overdue));

            time.Advance(TimeSpan.FromHours(15) - TimeSpan.FromTicks(1));
            Assert.Equal(0, Observe(overdue));

            // Midnight: the count runs, the request is overdue, and the next wait is a day (the interval, and the next midnight).
            time.Advance(TimeSpan.FromTicks(1));
            await time.WaitForTimerAsync(TimeSpan.FromDays(1));
            Assert.Equal(1, Observe(overdue));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task NextDelay_IsTheIntervalWhenItComesBeforeMidnight_AndCountsMidnightAcrossTheDstChange()
    {
        await using var host = RequestTestHost.Create(configure: o => o.MetricsRefreshInterval = TimeSpan.FromHours(1));
        var service = (RequestMetricsRefreshService)host.Services.GetServices<IHostedService>().Single(s => s is RequestMetricsRefreshService);

        Assert.Equal(TimeSpan.FromHours(1), service.NextDelay(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero)));
        Assert.Equal(TimeSpan.FromMinutes(20), service.NextDelay(new DateTimeOffset(2026, 3, 2, 22, 40, 0, TimeSpan.Zero))); // 23:40 CET

        // 29 March 2026, 23:30 CEST (21:30 UTC): the midnight after the change is 22:00 UTC.
        Assert.Equal(TimeSpan.FromMinutes(30), service.NextDelay(new DateTimeOffset(2026, 3, 29, 21, 30, 0, TimeSpan.Zero)));
    }

    private static long Observe(MetricCollector<long> gauge)
    {
        gauge.RecordObservableInstruments();
        return gauge.LastMeasurement!.Value;
    }
}
