namespace Gdpr.Erasure;

/// <summary>What an erasure came to, as a whole (<see cref="ErasureResult.Outcome"/>).</summary>
public enum ErasureOutcome
{
    /// <summary>
    /// Every scope the subject has or had is destroyed, retained or held, and every source did its part. A
    /// certificate is issued; it lists what was destroyed and what is kept.
    /// </summary>
    Erased = 0,

    /// <summary>
    /// No key, no tombstone and no row of the subject anywhere: the id is unknown (or mistyped). Nothing was
    /// destroyed. The certificate says exactly that (<c>"outcome":"nothing-found"</c>, no destroyed scopes), as
    /// evidence of how the request was answered (GDPR Art. 5(2), Art. 12(4)); it is not a proof of destruction.
    /// </summary>
    NothingFound = 1,

    /// <summary>A scope or a source failed; no certificate. Run the erasure again: it completes what is left.</summary>
    Partial = 2,

    /// <summary>
    /// A source holds values of a scope the key store knows nothing of under this subject's pseudonym (see
    /// <see cref="ScopeErasureStatus.KeyMissing"/>): a wrong pseudonym key or lost keys. No certificate.
    /// </summary>
    Inconsistent = 3,
}
