using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>
/// A legal hold on a subject (GDPR Art. 17(3)(e): the establishment, exercise or defence of legal claims): while
/// it is active neither an erasure nor the retention sweeper destroys any of the subject's scopes.
/// </summary>
/// <param name="Id">The hold's id (random, not personal data).</param>
/// <param name="Subject">The subject's pseudonym.</param>
/// <param name="Reason">Why the data is held, as a case reference free of personal data (for example "claim 2026-113").</param>
/// <param name="PlacedAt">When the hold was placed.</param>
/// <param name="ReleasedAt">When it was released, or <see langword="null"/> while active.</param>
public sealed record LegalHold(string Id, SubjectPseudonym Subject, string Reason, DateTimeOffset PlacedAt, DateTimeOffset? ReleasedAt = null)
{
    /// <summary>Gets whether the hold is still in force.</summary>
    public bool IsActive => ReleasedAt is null;
}

/// <summary>Keeps legal holds. The SDK ships an in-memory store; consumers may plug in a database one.</summary>
/// <remarks>Implementations must be safe for concurrent use.</remarks>
public interface ILegalHoldStore
{
    /// <summary>Stores a new hold.</summary>
    /// <param name="hold">The hold.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the hold is stored.</returns>
    ValueTask AddAsync(LegalHold hold, CancellationToken cancellationToken = default);

    /// <summary>Marks an active hold released.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="holdId">The hold's id.</param>
    /// <param name="releasedAt">When it was released.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The released hold, or <see langword="null"/> when the subject has no active hold with that id.</returns>
    ValueTask<LegalHold?> ReleaseAsync(SubjectPseudonym subject, string holdId, DateTimeOffset releasedAt, CancellationToken cancellationToken = default);

    /// <summary>Lists a subject's active holds.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The active holds, oldest first.</returns>
    ValueTask<IReadOnlyList<LegalHold>> GetActiveAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default);

    /// <summary>Returns which of <paramref name="subjects"/> have an active hold, in one call (for the sweeper's batches).</summary>
    /// <param name="subjects">The subjects.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The held subjects among them.</returns>
    ValueTask<IReadOnlySet<SubjectPseudonym>> GetHeldAsync(IReadOnlyCollection<SubjectPseudonym> subjects, CancellationToken cancellationToken = default);
}

/// <summary>Places and releases legal holds (GDPR Art. 17(3)(e)); every change is written to the audit trail.</summary>
public interface ILegalHoldService
{
    /// <summary>Places a hold on a subject: nothing of the subject is destroyed until every hold is released.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="reason">Why, as a case reference free of personal data (it goes into certificates and the audit trail).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hold.</returns>
    ValueTask<LegalHold> PlaceHoldAsync(string subjectId, string reason, CancellationToken cancellationToken = default);

    /// <summary>Releases a hold. Scopes an erasure could not destroy because of it are destroyed by the next sweep.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="holdId">The hold's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when an active hold was released.</returns>
    ValueTask<bool> ReleaseHoldAsync(string subjectId, string holdId, CancellationToken cancellationToken = default);

    /// <summary>Lists a subject's active holds.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The active holds.</returns>
    ValueTask<IReadOnlyList<LegalHold>> GetActiveHoldsAsync(string subjectId, CancellationToken cancellationToken = default);
}
