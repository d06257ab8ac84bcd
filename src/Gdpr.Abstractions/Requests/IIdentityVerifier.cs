namespace Gdpr.Requests;

/// <summary>
/// Judges evidence of a requester's identity (GDPR Art. 12(6): the controller may ask for information needed to
/// confirm it). The SDK ships a one-time code and an agent's attestation; register others beside them.
/// </summary>
/// <remarks>A verifier never writes a code, a document number or any other evidence into logs or exceptions.</remarks>
public interface IIdentityVerifier
{
    /// <summary>Gets the method's name, recorded with the request, for example <c>one-time-code</c>.</summary>
    string Method { get; }

    /// <summary>Says whether this verifier judges this kind of evidence.</summary>
    /// <param name="evidence">The evidence.</param>
    /// <returns>Whether it does.</returns>
    bool CanVerify(IdentityEvidence evidence);

    /// <summary>Judges the evidence for a request.</summary>
    /// <param name="request">The request as stored.</param>
    /// <param name="evidence">The evidence.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The verdict.</returns>
    ValueTask<IdentityCheck> VerifyAsync(DataSubjectRequest request, IdentityEvidence evidence, CancellationToken cancellationToken = default);
}
