namespace Gdpr.Erasure;

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
