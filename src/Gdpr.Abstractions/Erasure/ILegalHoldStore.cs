using Gdpr.Keys;

namespace Gdpr.Erasure;

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
