namespace Gdpr.Requests;

/// <summary>The built-in agent's attestation: an agent states they verified the requester, and how (GDPR Art. 12(6)).</summary>
internal sealed class AgentAttestationVerifier : IIdentityVerifier
{
    public const string MethodName = "agent-attestation";

    public string Method => MethodName;

    public bool CanVerify(IdentityEvidence evidence) => evidence is AgentAttestationEvidence;

    public ValueTask<IdentityCheck> VerifyAsync(DataSubjectRequest request, IdentityEvidence evidence, CancellationToken cancellationToken = default)
    {
        var failure = evidence is AgentAttestationEvidence attestation
            && !string.IsNullOrWhiteSpace(attestation.AgentId)
            && !string.IsNullOrWhiteSpace(attestation.Method)
            ? (IdentityFailure?)null
            : IdentityFailure.Rejected;
        return ValueTask.FromResult(new IdentityCheck(Method, failure));
    }
}
