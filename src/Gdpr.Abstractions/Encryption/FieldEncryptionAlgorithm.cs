namespace Gdpr.Encryption;

/// <summary>The AEAD that encrypts field values. The numeric value is the algorithm id in the envelope.</summary>
public enum FieldEncryptionAlgorithm : byte
{
    /// <summary>AEGIS-256 (libsodium through NSec): 256-bit key, 256-bit nonce, 256-bit tag. The default.</summary>
    Aegis256 = 1,

    /// <summary>AES-256-GCM (.NET's <c>AesGcm</c>): 96-bit nonce, 128-bit tag, for deployments that require a NIST algorithm.</summary>
    Aes256Gcm = 2,
}
