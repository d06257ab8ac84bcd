namespace Gdpr.Testing;

/// <summary>
/// Holds the calls it catches until the test opens it, and tells the test when calls have arrived: the way to put
/// two operations in a chosen order without sleeping real time. Created by
/// <see cref="FaultInjectingSubjectKeyStore.GateBefore"/> and <see cref="FaultInjectingSubjectKeyStore.GateAfter"/>.
/// </summary>
/// <remarks>A held call still honours its cancellation token: cancelling it ends the wait with
/// <see cref="OperationCanceledException"/>.</remarks>
public sealed class CallGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _arrivals;

    /// <summary>Gets how many calls have reached the gate so far (held or, once open, passed).</summary>
    public int Arrivals => Volatile.Read(ref _arrivals);

    /// <summary>Gets whether the gate has been opened.</summary>
    public bool IsOpen => _open.Task.IsCompleted;

    /// <summary>Opens the gate: every held call and every later one passes.</summary>
    public void Open() => _open.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> calls have reached the gate.</summary>
    /// <param name="count">The number of arrivals to wait for; at least one.</param>
    /// <param name="cancellationToken">Ends the wait (bound it, for a test that must not hang).</param>
    /// <returns>A task that completes when the calls have arrived.</returns>
    public Task WaitForArrivalsAsync(int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_lock)
        {
            if (_arrivals >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Opens the gate by itself once <paramref name="count"/> calls have arrived (all of them held until then).</summary>
    /// <param name="count">The number of arrivals that opens the gate.</param>
    /// <returns>This gate.</returns>
    public CallGate OpenWhenArrived(int count)
    {
        _ = WaitForArrivalsAsync(count).ContinueWith(static (_, state) => ((CallGate)state!).Open(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return this;
    }

    internal async ValueTask PassAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _arrivals++;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _arrivals)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
