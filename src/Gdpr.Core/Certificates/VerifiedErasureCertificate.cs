using Gdpr.Erasure;
using Gdpr.Keys;

namespace Gdpr.Certificates;

/// <summary>What a certificate whose signature verified states (<see cref="ErasureCertificateVerifier.VerifyAndRead"/>).</summary>
public sealed record VerifiedErasureCertificate
{
    /// <summary>Gets the certificate's format version (1: before outcomes and removal status; 2: current).</summary>
    public required int Version { get; init; }

    /// <summary>Gets the certificate's random id.</summary>
    public required string CertificateId { get; init; }

    /// <summary>Gets the subject's pseudonym.</summary>
    public required string Subject { get; init; }

    /// <summary>
    /// Gets what the certificate records: an erasure, or that nothing of the subject was found (no key, no tombstone,
    /// no row), which is not a proof of destruction.
    /// </summary>
    public required ErasureOutcome Outcome { get; init; }

    /// <summary>
    /// Gets whether the destroyed keys' bytes were known to be gone from the key store's files when it was issued;
    /// <see langword="null"/> for version 1, which did not say.
    /// </summary>
    public required KeyRemovalStatus? PhysicalRemoval { get; init; }

    /// <summary>Gets the scopes the certificate lists as destroyed, in its order.</summary>
    public required IReadOnlyList<string> DestroyedScopes { get; init; }
}
