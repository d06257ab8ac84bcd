namespace Gdpr.Requests;

/// <summary>
/// The requester's identity was not verified (GDPR Art. 12(6)): a wrong, expired or locked code, or evidence no
/// verifier accepts. The request stays unverified (only the attempt count changes), and the attempt is in the audit
/// trail. The message never holds the code or other evidence.
/// </summary>
public sealed class IdentityVerificationFailedException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="IdentityVerificationFailedException"/> class.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="failure">Why it failed.</param>
    public IdentityVerificationFailedException(string requestId, IdentityFailure failure)
        : base($"Request {requestId}: the identity was not verified ({failure}; Art. 12(6)).")
    {
        RequestId = requestId;
        Failure = failure;
    }

    /// <summary>Gets the request's id.</summary>
    public string RequestId { get; }

    /// <summary>Gets why it failed.</summary>
    public IdentityFailure Failure { get; }
}
