namespace Gdpr.Certificates;

/// <summary>Where the Ed25519 key that signs erasure certificates is kept.</summary>
public sealed class ErasureCertificateOptions
{
    /// <summary>
    /// Gets or sets the folder holding the signing key (<c>erasure-signing.key</c>, owner-only) and its public key
    /// (<c>erasure-signing.pub.pem</c>). When <see langword="null"/>, a key is made in memory per process: certificates
    /// then cannot be verified after a restart unless the public key was exported. For tests only.
    /// </summary>
    public string? Directory { get; set; }
}
