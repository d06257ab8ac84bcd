using Gdpr.Erasure;

namespace Gdpr.Certificates;

/// <summary>Issues signed erasure certificates and exports the public key that verifies them.</summary>
public interface IErasureCertificateIssuer
{
    /// <summary>Returns the signing public key as PEM SubjectPublicKeyInfo, for <c>openssl pkeyutl -verify</c> and other tools.</summary>
    /// <returns>The PEM text.</returns>
    string ExportPublicKeyPem();

    /// <summary>Writes the canonical certificate of an erasure and signs it with Ed25519.</summary>
    /// <param name="result">The erasure's result.</param>
    /// <returns>The certificate and its signature.</returns>
    SignedErasureCertificate Issue(ErasureResult result);
}
