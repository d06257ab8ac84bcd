namespace Gdpr.Keys;

/// <summary>
/// The key store holds data keys wrapped under key-encryption keys the <see cref="IKeyEncryptionKeyProvider"/> does
/// not have (a key-ring folder that is missing, moved or not mounted; another KMS key). Nothing could read those
/// subjects' data, and new data would be written under another KEK, so the SDK refuses to start.
/// </summary>
public sealed class MissingKeyEncryptionKeysException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="MissingKeyEncryptionKeysException"/> class.</summary>
    /// <param name="missingKeyIds">The ids of the KEKs the store refers to and the provider lacks.</param>
    public MissingKeyEncryptionKeysException(IReadOnlyList<string> missingKeyIds)
        : base(BuildMessage(missingKeyIds))
    {
        MissingKeyIds = missingKeyIds;
    }

    /// <summary>Gets the ids of the missing key-encryption keys.</summary>
    public IReadOnlyList<string> MissingKeyIds { get; }

    private static string BuildMessage(IReadOnlyList<string> missingKeyIds)
    {
        ArgumentNullException.ThrowIfNull(missingKeyIds);
        return $"The key store holds data keys wrapped under key-encryption keys the key-encryption-key provider does not have: {string.Join(", ", missingKeyIds)}. "
            + "Check that the key ring folder (UseLocalKeyRing) or the KMS is the one this key store was used with, and that it is mounted.";
    }
}
