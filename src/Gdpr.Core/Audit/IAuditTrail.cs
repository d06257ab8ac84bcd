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
