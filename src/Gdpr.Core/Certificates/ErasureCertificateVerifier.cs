using System.Text;
using Gdpr.Erasure;
using NSec.Cryptography;

namespace Gdpr.Certificates;

/// <summary>Verifies erasure certificates with nothing but the signer's public key.</summary>
public static class ErasureCertificateVerifier
{
    /// <summary>Checks an Ed25519 signature over a certificate's exact bytes.</summary>
    /// <param name="json">The certificate bytes as issued.</param>
    /// <param name="signature">The 64-byte signature.</param>
    /// <param name="publicKeyPem">The signer's public key, PEM SubjectPublicKeyInfo.</param>
    /// <returns><see langword="true"/> when the signature is valid for exactly these bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="publicKeyPem"/> is not an Ed25519 public key in PEM.</exception>
    public static bool Verify(ReadOnlySpan<byte> json, ReadOnlySpan<byte> signature, string publicKeyPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publicKeyPem);

        // NSec reads the exact PEM layout it writes; accept CRLF and surrounding blanks from other tools too.
        var normalized = publicKeyPem.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";
        if (!PublicKey.TryImport(CertificateSigningKey.Algorithm, Encoding.ASCII.GetBytes(normalized), KeyBlobFormat.PkixPublicKeyText, out var publicKey) || publicKey is null)
        {
            throw new ArgumentException("The public key is not an Ed25519 key in PEM SubjectPublicKeyInfo form.", nameof(publicKeyPem));
        }

        return CertificateSigningKey.Algorithm.Verify(publicKey, json, signature);
    }

    /// <summary>
    /// Checks the signature and, when it is valid, reads what the certificate states: whether it records an erasure
    /// or the finding that nothing of the subject was there, and whether the destroyed keys' bytes were known to be
    /// gone from the key store's files. Reads both format versions: a version-1 certificate (issued before the
    /// distinction existed) reads as <see cref="ErasureOutcome.Erased"/> with no removal status.
    /// </summary>
    /// <param name="json">The certificate bytes as issued.</param>
    /// <param name="signature">The 64-byte signature.</param>
    /// <param name="publicKeyPem">The signer's public key, PEM SubjectPublicKeyInfo.</param>
    /// <returns>What the certificate states, or <see langword="null"/> when the signature is not valid.</returns>
    /// <exception cref="ArgumentException"><paramref name="publicKeyPem"/> is not an Ed25519 public key in PEM.</exception>
    /// <exception cref="FormatException">The signature is valid but the JSON is not an erasure certificate of a known version.</exception>
    public static VerifiedErasureCertificate? VerifyAndRead(ReadOnlySpan<byte> json, ReadOnlySpan<byte> signature, string publicKeyPem)
        => Verify(json, signature, publicKeyPem) ? ErasureCertificateIssuer.Read(json) : null;

    /// <summary>Checks a certificate's signature.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="publicKeyPem">The signer's public key, PEM SubjectPublicKeyInfo.</param>
    /// <returns><see langword="true"/> when the signature is valid.</returns>
    public static bool Verify(SignedErasureCertificate certificate, string publicKeyPem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Verify(certificate.Json.Span, certificate.Signature.Span, publicKeyPem);
    }
}
