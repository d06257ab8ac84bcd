namespace Gdpr.Encryption.Infrastructure;

/// <summary>The outcome of a synchronous decryption attempt.</summary>
public enum FieldReadStatus
{
    /// <summary>The subject's key is not in the cache; call <see cref="ISpanFieldEncryptor.PrepareAsync"/> or use the async API.</summary>
    KeyNotCached = 0,

    /// <summary>The value was decrypted.</summary>
    Decrypted = 1,

    /// <summary>The value's key was destroyed: the value is erased and reads as the field's replacement value.</summary>
    Erased = 2,
}
