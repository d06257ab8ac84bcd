namespace Gdpr.Requests;

/// <summary>
/// A one-time code sent to the requester (GDPR Art. 12(6)), kept with the request so that its time limit and
/// attempt limit hold across processes. The code itself is kept only as an envelope under the request's own key.
/// </summary>
/// <param name="EncryptedCode">The code, encrypted; never logged.</param>
/// <param name="IssuedAt">When it was sent.</param>
/// <param name="ExpiresAt">After this moment it is refused as expired.</param>
/// <param name="FailedAttempts">Wrong codes entered so far; at the limit the challenge is locked.</param>
/// <param name="CodesIssued">How many codes this request has been sent in all, this one included.</param>
public sealed record IdentityChallenge(
    ReadOnlyMemory<byte> EncryptedCode,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    int FailedAttempts,
    int CodesIssued)
{
    /// <summary>Compares every member by value, the envelope's bytes included.</summary>
    /// <param name="other">The other challenge.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(IdentityChallenge? other)
        => other is not null
            && EncryptedCode.Span.SequenceEqual(other.EncryptedCode.Span)
            && IssuedAt == other.IssuedAt
            && ExpiresAt == other.ExpiresAt
            && FailedAttempts == other.FailedAttempts
            && CodesIssued == other.CodesIssued;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IssuedAt, ExpiresAt, FailedAttempts, CodesIssued);

    /// <summary>Says when the code expires and how often it was tried, never the code.</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => $"IdentityChallenge {{ ExpiresAt = {ExpiresAt:O}, FailedAttempts = {FailedAttempts}, CodesIssued = {CodesIssued} }}";
}
