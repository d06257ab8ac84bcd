namespace Gdpr.Requests;

/// <summary>The one-time code the requester entered.</summary>
/// <param name="Code">The code as entered.</param>
public sealed record OneTimeCodeEvidence(string Code) : IdentityEvidence
{
    /// <summary>Never prints the code.</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => "OneTimeCodeEvidence { Code = [redacted] }";
}
