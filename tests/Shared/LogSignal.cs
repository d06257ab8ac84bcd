using Microsoft.Extensions.Logging;

namespace Gdpr.Tests.Shared;

/// <summary>One log event as <see cref="LogSignal"/> saw it: its id, category and structured values.</summary>
internal sealed record SignalledLogEvent(EventId Id, string Category, IReadOnlyDictionary<string, object?> State)
{
    /// <summary>Gets a structured value as text, or null.</summary>
    public string? this[string name] => State.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// A logger provider that lets a test await a log event (an SDK component saying it did something on another thread:
/// a shred notification heard, a listener disconnected) instead of polling with sleeps. Every level is captured.
/// </summary>
internal sealed class LogSignal : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<SignalledLogEvent> _events = [];
    private readonly List<(Func<SignalledLogEvent, bool> Match, TaskCompletionSource<SignalledLogEvent> Seen)> _waiters = [];

    /// <summary>Gets the events seen so far.</summary>
    public IReadOnlyList<SignalledLogEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Waits (bounded by real time: the event comes from another thread or process) for an event, one already logged included.</summary>
    public async Task<SignalledLogEvent> WaitForAsync(Func<SignalledLogEvent, bool> match, TimeSpan? timeout = null)
    {
        Task<SignalledLogEvent> seen;
        lock (_lock)
        {
            if (_events.FirstOrDefault(match) is { } logged)
            {
                return logged;
            }

            var waiter = new TaskCompletionSource<SignalledLogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            seen = waiter.Task;
        }

        try
        {
            return await seen.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("the awaited log event never came");
        }
    }

    /// <summary>Waits for an event by id, one already logged included.</summary>
    public Task<SignalledLogEvent> WaitForAsync(int eventId, TimeSpan? timeout = null) => WaitForAsync(e => e.Id.Id == eventId, timeout);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(SignalledLogEvent e)
    {
        List<TaskCompletionSource<SignalledLogEvent>> seen = [];
        lock (_lock)
        {
            _events.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(e))
                {
                    seen.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in seen)
        {
            waiter.TrySetResult(e);
        }
    }

    private sealed class Logger(LogSignal owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values[key] = value;
                }
            }

            owner.Add(new SignalledLogEvent(eventId, category, values));
        }
    }
}
