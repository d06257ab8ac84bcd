namespace Gdpr.Keys;

/// <summary>
/// A data key of one subject and one retention scope, as a key store keeps it: encrypted (wrapped) under a
/// key-encryption key. The store never sees the key itself.
/// </summary>
/// <param name="Subject">The subject's pseudonym.</param>
/// <param name="Scope">The retention scope (the retention policy's name).</param>
/// <param name="Version">The key version: 1 for the first key, one more after every shred of the scope.</param>
/// <param name="KeyEncryptionKeyId">The id of the key-encryption key that wrapped it.</param>
/// <param name="WrappedKey">The wrapped key bytes, opaque to the store.</param>
/// <param name="CreatedAt">When the key was created.</param>
public sealed record WrappedSubjectKey(
    SubjectPseudonym Subject,
    string Scope,
    int Version,
    string KeyEncryptionKeyId,
    ReadOnlyMemory<byte> WrappedKey,
    DateTimeOffset CreatedAt);
