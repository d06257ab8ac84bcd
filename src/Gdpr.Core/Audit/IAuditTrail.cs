namespace Gdpr.Audit;

/// <summary>
/// The append-only audit trail: every entry is chained to the one before by a SHA-256 hash, so an edited, removed
/// or reordered entry is detected by <see cref="VerifyAsync"/>.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Appends events in order, atomically.</summary>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>The entries appended.</returns>
    ValueTask<IReadOnlyList<AuditEntry>> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Reads entries in order.</summary>
    /// <param name="fromSequence">The first sequence number to read (1 for all).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The entries.</returns>
    IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence = 1, CancellationToken cancellationToken = default);

    /// <summary>Recomputes every hash and link, and names the first broken one.</summary>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Persists audit entries. The <see cref="IAuditTrail"/> computes hashes; a store only keeps entries, in order,
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
