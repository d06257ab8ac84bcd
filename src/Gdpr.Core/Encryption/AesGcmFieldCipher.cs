using System.Security.Cryptography;

namespace Gdpr.Encryption;

/// <summary>AES-256-GCM through .NET's <see cref="AesGcm"/> (OpenSSL on Linux), for deployments that require a NIST AEAD.</summary>
internal sealed class AesGcmFieldCipher : FieldCipher
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;

    private readonly AesGcm _aes;

    // AesGcm is not thread-safe (on OpenSSL one cipher context is reused per instance), while a cached key's cipher
    // is shared by every thread: concurrent calls corrupted each other (bogus ciphertext, false integrity failures).
    private readonly Lock _lock = new();

    public AesGcmFieldCipher(ReadOnlySpan<byte> key)
    {
        _aes = new AesGcm(key, TagBytes);
    }

    public override FieldEncryptionAlgorithm Algorithm => FieldEncryptionAlgorithm.Aes256Gcm;

    public override int NonceSize => NonceBytes;

    public override int TagSize => TagBytes;

    public override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag)
    {
        lock (_lock)
        {
            _aes.Encrypt(nonce, plaintext, ciphertextAndTag[..plaintext.Length], ciphertextAndTag[plaintext.Length..], associatedData);
        }
    }

    public override bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        var length = ciphertextAndTag.Length - TagBytes;
        try
        {
            lock (_lock)
            {
                _aes.Decrypt(nonce, ciphertextAndTag[..length], ciphertextAndTag[length..], plaintext[..length], associatedData);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext[..length].Clear();
            return false;
        }
    }

    public override void Dispose() => _aes.Dispose();
}
