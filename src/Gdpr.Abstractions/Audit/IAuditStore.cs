namespace Gdpr.Audit;

/// <summary>
/// Persists audit entries. The audit trail (<c>Gdpr.Audit.IAuditTrail</c>) computes hashes; a store only keeps entries, in order,
/// and never changes one. The SDK ships an in-memory store; the EF Core adapter ships a database one.
/// </summary>
public interface IAuditStore
{
    /// <summary>Reads the last entry, or <see langword="null"/> when the trail is empty.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The last entry.</returns>
    ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends entries atomically, only if the first one's sequence number is the next free one (one more than the
    /// last stored). Another writer that appended meanwhile makes it return <see langword="false"/>, and nothing is stored.
    /// </summary>
    /// <param name="entries">Consecutive entries, already hashed and chained.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether they were appended.</returns>
    ValueTask<bool> TryAppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Reads entries in stored order, from a sequence number on.</summary>
    /// <param name="fromSequence">The first sequence number to read.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The entries as stored, including any that were tampered with.</returns>
    IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence, CancellationToken cancellationToken = default);
}
