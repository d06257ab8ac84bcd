using NSec.Cryptography;

namespace Gdpr.Encryption;

/// <summary>AEGIS-256 through NSec (libsodium). The key lives in libsodium's guarded memory, wiped on dispose.</summary>
internal sealed class Aegis256FieldCipher : FieldCipher
{
    public const int NonceBytes = 32;
    public const int TagBytes = 32;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.Aegis256;

    private readonly Key _key;

    public Aegis256FieldCipher(ReadOnlySpan<byte> key)
        : base(FieldEncryptionAlgorithm.Aegis256)
    {
        _key = Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
    }


    public override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag)
        => Aead.Encrypt(_key, nonce, associatedData, plaintext, ciphertextAndTag);

    public override bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
        => Aead.Decrypt(_key, nonce, associatedData, ciphertextAndTag, plaintext);

    public override void Dispose() => _key.Dispose();
}
