namespace Gdpr.Keys;

/// <summary>
/// The (subject, scope) keys this process is creating, so that a caller who finds such a key wrapped under a KEK a
/// rotation has just retired can wait for its writer to rewrap it instead of failing.
/// </summary>
internal sealed class InFlightCreations
{
    private readonly Dictionary<(string Subject, string Scope), Slot> _slots = [];
    private int _waiting;

    /// <summary>How many callers are waiting for a writer now (for tests that must order a race).</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Marks one creation as in flight until the returned handle is disposed.</summary>
    public Handle Begin(SubjectPseudonym subject, string scope)
    {
        var key = (subject.Value, scope);
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                _slots[key] = slot = new Slot();
            }

            slot.Writers++;
        }

        return new Handle(this, key);
    }

    /// <summary>Completes when no creation of that key is in flight in this process (at once when none is).</summary>
    public async Task WaitAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        Task done;
        lock (_slots)
        {
            if (!_slots.TryGetValue((subject.Value, scope), out var slot))
            {
                return;
            }

            done = slot.Done.Task;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await done.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void End((string, string) key)
    {
        Slot slot;
        lock (_slots)
        {
            slot = _slots[key];
            if (--slot.Writers > 0)
            {
                return;
            }

            _slots.Remove(key);
        }

        slot.Done.SetResult();
    }

    private sealed class Slot
    {
        public int Writers;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Ends the creation once; a second dispose does nothing.</summary>
    public sealed class Handle(InFlightCreations owner, (string, string) key) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                owner.End(key);
            }
        }
    }
}
