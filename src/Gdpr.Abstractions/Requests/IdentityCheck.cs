namespace Gdpr.Requests;

/// <summary>A verifier's verdict on evidence.</summary>
/// <param name="Method">The verifier's method, for example <c>one-time-code</c>.</param>
/// <param name="Failure">Why it failed, or <see langword="null"/> when the identity is verified.</param>
/// <param name="Challenge">The challenge as it is after this check (attempts counted), to be stored with the request; <see langword="null"/> to leave it as it was.</param>
public sealed record IdentityCheck(string Method, IdentityFailure? Failure, IdentityChallenge? Challenge = null)
{
    /// <summary>Gets whether the identity is verified.</summary>
    public bool IsVerified => Failure is null;
}
