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
    public Handle Begin(SubjectPseudonym subject, string scope) => new(this, [(subject.Value, scope)]);

    /// <summary>Marks a batch's creations as in flight, under one lock, until the returned handle is disposed.</summary>
    public Handle Begin(IReadOnlyList<(SubjectPseudonym Subject, string Scope)> keys)
        => new(this, [.. keys.Select(k => (k.Subject.Value, k.Scope))]);

    private void BeginAll((string, string)[] keys)
    {
        lock (_slots)
        {
            foreach (var key in keys)
            {
                if (!_slots.TryGetValue(key, out var slot))
                {
                    _slots[key] = slot = new Slot();
                }

                slot.Writers++;
            }
        }
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

    private void EndAll((string, string)[] keys)
    {
        List<Slot>? done = null;
        lock (_slots)
        {
            foreach (var key in keys)
            {
                var slot = _slots[key];
                if (--slot.Writers == 0)
                {
                    _slots.Remove(key);
                    (done ??= []).Add(slot);
                }
            }
        }

        // Outside the lock: the waiters' continuations run asynchronously anyway, but nothing runs under it.
        foreach (var slot in done ?? [])
        {
            slot.Done.SetResult();
        }
    }

    private sealed class Slot
    {
        public int Writers;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Ends the creations once; a second dispose does nothing.</summary>
    public sealed class Handle : IDisposable
    {
        private readonly InFlightCreations _owner;
        private readonly (string, string)[] _keys;
        private int _ended;

        internal Handle(InFlightCreations owner, (string, string)[] keys)
        {
            _owner = owner;
            _keys = keys;
            owner.BeginAll(keys);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _owner.EndAll(_keys);
            }
        }
    }
}
