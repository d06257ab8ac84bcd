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
