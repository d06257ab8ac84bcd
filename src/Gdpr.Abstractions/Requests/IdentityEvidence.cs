namespace Gdpr.Requests;

/// <summary>What a requester or agent offers to prove the requester's identity (GDPR Art. 12(6)); an <see cref="IIdentityVerifier"/> judges it.</summary>
public abstract record IdentityEvidence;
