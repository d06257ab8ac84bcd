using System.Runtime.CompilerServices;

namespace Gdpr.Audit;

/// <summary>An audit store in process memory, for tests and single-process use. Lost when the process ends.</summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    private readonly Lock _lock = new();
    private readonly List<AuditEntry> _entries = [];

    /// <summary>Gets the number of entries (for the SDK's own tests; not public API).</summary>
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

    /// <summary>The stored entries, for tests that tamper with them to prove the chain notices.</summary>
    internal List<AuditEntry> Entries => _entries;

    /// <inheritdoc/>
    public ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.Count == 0 ? null : _entries[^1]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        if (entries.Count == 0)
        {
            return ValueTask.FromResult(true);
        }

        lock (_lock)
        {
            var next = _entries.Count == 0 ? 1 : _entries[^1].Sequence + 1;
            if (entries[0].Sequence != next)
            {
                return ValueTask.FromResult(false);
            }

            _entries.AddRange(entries);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Snapshot(_entries.Where(e => e.Sequence >= fromSequence).ToList(), cancellationToken);
        }
    }

    private static async IAsyncEnumerable<AuditEntry> Snapshot(List<AuditEntry> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
