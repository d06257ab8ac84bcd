namespace Gdpr.Requests;

/// <summary>An agent's statement that they verified the requester's identity, and how.</summary>
/// <param name="AgentId">The agent who attests.</param>
/// <param name="Method">How, free of personal data, for example <c>identity document shown at the desk; number not copied</c>.</param>
public sealed record AgentAttestationEvidence(string AgentId, string Method) : IdentityEvidence;
