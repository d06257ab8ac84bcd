using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>A retention schedule in process memory, for tests and single-process use. Lost when the process ends.</summary>
public sealed class InMemoryRetentionScheduleStore : IRetentionScheduleStore
{
    private static readonly Comparer<RetentionScheduleKey> KeyOrder = Comparer<RetentionScheduleKey>.Create(CompareKeys);

    private readonly Lock _lock = new();
    private readonly SortedDictionary<RetentionScheduleKey, RetentionScheduleEntry> _entries = new(KeyOrder);
    private readonly Dictionary<SubjectPseudonym, DateTimeOffset> _relationshipEnds = [];

    /// <summary>Gets the number of scheduled entries (for the SDK's own tests; not public API).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(RetentionScheduleEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.Scope);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _entries[entry.Key] = entry;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<RetentionScheduleEntry?> GetAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.GetValueOrDefault(new RetentionScheduleKey(subject, scope)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RetentionScheduleEntry>> GetDueAsync(DateTimeOffset dueBy, RetentionScheduleKey? after, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var page = new List<RetentionScheduleEntry>(Math.Min(maxCount, 1024));
        lock (_lock)
        {
            // A sorted scan from the start: fine in memory. A database store uses an index on (subject, scope).
            foreach (var (key, entry) in _entries)
            {
                if (after is { } cursor && CompareKeys(key, cursor) <= 0)
                {
                    continue;
                }

                if (entry.DestroyAfter <= dueBy)
                {
                    page.Add(entry);
                    if (page.Count == maxCount)
                    {
                        break;
                    }
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<RetentionScheduleEntry>>(page);
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(IReadOnlyCollection<RetentionScheduleKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var key in keys)
            {
                _entries.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<DateTimeOffset?> GetRelationshipEndAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_relationshipEnds.TryGetValue(subject, out var end) ? end : (DateTimeOffset?)null);
        }
    }

    /// <inheritdoc/>
    public ValueTask SetRelationshipEndAsync(SubjectPseudonym subject, DateTimeOffset endedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _relationshipEnds[subject] = endedAt;
        }

        return ValueTask.CompletedTask;
    }

    private static int CompareKeys(RetentionScheduleKey a, RetentionScheduleKey b)
    {
        var bySubject = string.CompareOrdinal(a.Subject.Value, b.Subject.Value);
        return bySubject != 0 ? bySubject : string.CompareOrdinal(a.Scope, b.Scope);
    }
}
