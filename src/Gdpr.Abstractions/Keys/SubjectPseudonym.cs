namespace Gdpr.Keys;

/// <summary>
/// A keyed pseudonym of a data subject's id (an HMAC-SHA-256 under a secret of the application, base64url).
/// Key stores, tombstones, audit entries and exception messages know subjects only by it (GDPR Art. 4(5), 32(1)(a)).
/// </summary>
/// <param name="Value">The base64url text of the pseudonym.</param>
public readonly record struct SubjectPseudonym(string Value)
{
    /// <summary>Returns the pseudonym text.</summary>
    /// <returns>The base64url text.</returns>
    public override string ToString() => Value ?? string.Empty;
}
