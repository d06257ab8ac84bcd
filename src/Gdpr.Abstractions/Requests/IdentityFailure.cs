namespace Gdpr.Requests;

/// <summary>Why an identity check failed.</summary>
public enum IdentityFailure
{
    /// <summary>No verifier accepts this kind of evidence, or no code was sent for the request.</summary>
    NotApplicable = 1,

    /// <summary>The code was wrong.</summary>
    WrongCode = 2,

    /// <summary>The code's time limit had passed.</summary>
    Expired = 3,

    /// <summary>Too many wrong codes were entered; the challenge is locked.</summary>
    TooManyAttempts = 4,

    /// <summary>The evidence was incomplete (for example an attestation without an agent or a method).</summary>
    Rejected = 5,
}
