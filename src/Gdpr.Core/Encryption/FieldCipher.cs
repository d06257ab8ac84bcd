namespace Gdpr.Encryption;

/// <summary>One data key bound to one AEAD. Holds the key in memory that is wiped on <see cref="Dispose"/>.</summary>
internal abstract class FieldCipher : IDisposable
{
    protected FieldCipher(FieldEncryptionAlgorithm algorithm)
    {
        Algorithm = algorithm;
        NonceSize = GetNonceSize(algorithm);
        TagSize = GetTagSize(algorithm);
    }

    // Plain fields, not virtual properties: they are read on every encryption and decryption.
    public FieldEncryptionAlgorithm Algorithm { get; }

    public int NonceSize { get; }

    public int TagSize { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertextAndTag"/> (plaintext length + tag).</summary>
    public abstract void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag);

    /// <summary>Returns false when authentication fails; <paramref name="plaintext"/> is then cleared.</summary>
    public abstract bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext);

    public abstract void Dispose();

    public static FieldCipher Create(FieldEncryptionAlgorithm algorithm, ReadOnlySpan<byte> key) => algorithm switch
    {
        FieldEncryptionAlgorithm.Aegis256 => new Aegis256FieldCipher(key),
        FieldEncryptionAlgorithm.Aes256Gcm => new AesGcmFieldCipher(key),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported field encryption algorithm."),
    };

    public static int GetNonceSize(FieldEncryptionAlgorithm algorithm) => algorithm switch
    {
        FieldEncryptionAlgorithm.Aegis256 => Aegis256FieldCipher.NonceBytes,
        FieldEncryptionAlgorithm.Aes256Gcm => AesGcmFieldCipher.NonceBytes,
        _ => -1,
    };

    public static int GetTagSize(FieldEncryptionAlgorithm algorithm) => algorithm switch
    {
        FieldEncryptionAlgorithm.Aegis256 => Aegis256FieldCipher.TagBytes,
        FieldEncryptionAlgorithm.Aes256Gcm => AesGcmFieldCipher.TagBytes,
        _ => -1,
    };
}
