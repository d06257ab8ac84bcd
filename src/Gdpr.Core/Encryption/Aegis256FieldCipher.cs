using Gdpr.Interop;
using System.Runtime.InteropServices;

namespace Gdpr.Encryption;

/// <summary>
/// AEGIS-256 through libsodium, the same calls NSec makes, with the key in a <see cref="KeyArena"/> slot rather
/// than a guarded allocation of its own (see <see cref="Libsodium"/> for why). Envelopes are byte-for-byte those of
/// NSec's <c>AeadAlgorithm.Aegis256</c> (ciphertext, then the 32-byte tag); a test checks both directions.
/// </summary>
internal sealed class Aegis256FieldCipher : FieldCipher
{
    public const int NonceBytes = 32;
    public const int TagBytes = 32;

    private readonly KeySlotHandle _key;

    public Aegis256FieldCipher(ReadOnlySpan<byte> key)
        : base(FieldEncryptionAlgorithm.Aegis256)
    {
        _key = KeySlotHandle.Create(key);
    }

    public override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag)
    {
        Check(nonce, ciphertextAndTag.Length - plaintext.Length);
        if (Libsodium.crypto_aead_aegis256_encrypt(
                ref MemoryMarshal.GetReference(ciphertextAndTag), 0,
                in MemoryMarshal.GetReference(plaintext), (ulong)plaintext.Length,
                in MemoryMarshal.GetReference(associatedData), (ulong)associatedData.Length,
                0, in MemoryMarshal.GetReference(nonce), _key) != 0)
        {
            throw new InvalidOperationException("AEGIS-256 encryption failed.");
        }
    }

    public override bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        Check(nonce, ciphertextAndTag.Length - plaintext.Length);
        if (Libsodium.crypto_aead_aegis256_decrypt(
                ref MemoryMarshal.GetReference(plaintext), 0, 0,
                in MemoryMarshal.GetReference(ciphertextAndTag), (ulong)ciphertextAndTag.Length,
                in MemoryMarshal.GetReference(associatedData), (ulong)associatedData.Length,
                in MemoryMarshal.GetReference(nonce), _key) == 0)
        {
            return true;
        }

        plaintext.Clear();
        return false;
    }

    public override void Dispose() => _key.Dispose();

    // The native calls trust these lengths; a wrong one would read or write past a buffer.
    private static void Check(ReadOnlySpan<byte> nonce, int tagLength)
    {
        if (nonce.Length != NonceBytes || tagLength != TagBytes)
        {
            throw new ArgumentException($"AEGIS-256 takes a {NonceBytes}-byte nonce and a {TagBytes}-byte tag.");
        }
    }
}
