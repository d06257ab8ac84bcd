using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Tests.Shared;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each one-shot timer it creates, so a test can await "the code under
/// test is now waiting on the clock" (a delay awaited on this time provider) instead of sleeping real time and hoping.
/// </summary>
internal sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan)
        {
            _created.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Waits (bounded by real time: the code runs on the thread pool) until a one-shot timer due after <paramref name="dueTime"/> is created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await _created.Reader.ReadAsync(timeout.Token) != dueTime)
        {
        }
    }
}
