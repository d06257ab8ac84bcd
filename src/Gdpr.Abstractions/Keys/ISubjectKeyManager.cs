namespace Gdpr.Keys;

/// <summary>
/// Manages the subjects' data keys: pseudonyms, crypto-shredding and key-encryption-key rotation.
/// </summary>
public interface ISubjectKeyManager
{
    /// <summary>Computes the keyed pseudonym of a subject id.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <returns>The pseudonym.</returns>
    SubjectPseudonym GetPseudonym(string subjectId);

    /// <summary>
    /// Destroys the subject's data key for one scope (crypto-shredding) and evicts it from the cache at once.
    /// Every value stored under it, in every copy, reads as erased from then on.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="scope">The retention scope.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tombstone, or <see langword="null"/> when the scope had no live key.</returns>
    ValueTask<KeyTombstone?> ShredAsync(string subjectId, string scope, CancellationToken cancellationToken = default);

    /// <summary>Destroys a data key known only by its subject's pseudonym (for sweepers that hold no subject ids).</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The retention scope.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tombstone, or <see langword="null"/> when the scope had no live key.</returns>
    ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default);

    /// <summary>Lists the scopes for which a subject has a live key.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The scope names.</returns>
    IAsyncEnumerable<string> GetScopesAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotates the key-encryption key: creates a new one, rewraps every live data key under it without touching
    /// any field ciphertext, then retires the old ones.
    /// </summary>
    /// <param name="cancellationToken">Cancels the rotation; a rotation cancelled midway can be run again.</param>
    /// <returns>What the rotation did.</returns>
    ValueTask<KeyRotationResult> RotateKeyEncryptionKeyAsync(CancellationToken cancellationToken = default);
}
