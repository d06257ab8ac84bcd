namespace Gdpr.Encryption.Infrastructure;

/// <summary>
/// The synchronous, allocation-free side of <see cref="IFieldEncryptor"/>, for storage adapters and hot paths: span
/// methods that use the key cache only and never block on I/O, after <see cref="PrepareAsync"/> loaded the keys they need.
/// </summary>
/// <remarks>
/// Infrastructure, not the everyday API: an application encrypts and decrypts through <see cref="IFieldEncryptor"/>
/// (or the EF adapter, which uses this). <c>AddGdpr</c> registers the SDK's encryptor as both.
/// A value whose key was destroyed reads as <see cref="FieldReadStatus.Erased"/>; a tampered, truncated or foreign
/// envelope throws <see cref="PersonalDataIntegrityException"/>.
/// </remarks>
public interface ISpanFieldEncryptor : IFieldEncryptor
{
    /// <summary>Returns the length of the envelope of a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    /// <param name="plaintextLength">The plaintext's length in bytes.</param>
    /// <returns>The envelope's length in bytes.</returns>
    int GetEnvelopeLength(int plaintextLength);

    /// <summary>Returns the length of the plaintext inside an envelope, or -1 when the envelope is too short or not one.</summary>
    /// <param name="envelope">The envelope (only its header is read).</param>
    /// <returns>The plaintext's length in bytes, or -1.</returns>
    int GetPlaintextLength(ReadOnlySpan<byte> envelope);

    /// <summary>Loads a subject's key for a scope into the cache, creating it when <paramref name="forWriting"/>.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="scope">The retention scope.</param>
    /// <param name="forWriting">Whether to create the key when the subject has none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the key (or the knowledge that it was destroyed) is cached.</returns>
    /// <exception cref="KeyUnavailableException">The key store or the key-encryption key cannot be reached.</exception>
    ValueTask PrepareAsync(string subjectId, string scope, bool forWriting, CancellationToken cancellationToken = default);

    /// <summary>Encrypts with a cached key; allocates nothing.</summary>
    /// <param name="field">The value's address.</param>
    /// <param name="plaintext">The value's bytes.</param>
    /// <param name="envelope">Receives the envelope; at least <see cref="GetEnvelopeLength"/> bytes.</param>
    /// <param name="bytesWritten">The envelope's length.</param>
    /// <returns><see langword="false"/> when no live key for the subject and scope is cached.</returns>
    /// <exception cref="ArgumentException">The scope is null or empty, or the subject id null or blank (as the async methods refuse them).</exception>
    bool TryEncrypt(in FieldAddress field, ReadOnlySpan<byte> plaintext, Span<byte> envelope, out int bytesWritten);

    /// <summary>Decrypts with a cached key; allocates nothing.</summary>
    /// <param name="field">The value's address.</param>
    /// <param name="envelope">The envelope.</param>
    /// <param name="plaintext">Receives the value's bytes; at least <see cref="GetPlaintextLength"/> bytes.</param>
    /// <param name="bytesWritten">The plaintext's length.</param>
    /// <returns>Whether the value was decrypted, is erased, or needs a key that is not cached.</returns>
    /// <exception cref="PersonalDataIntegrityException">The envelope was tampered with, truncated or belongs elsewhere.</exception>
    /// <exception cref="ArgumentException">The scope is null or empty, or the subject id null or blank (as the async methods refuse them).</exception>
    FieldReadStatus TryDecrypt(in FieldAddress field, ReadOnlySpan<byte> envelope, Span<byte> plaintext, out int bytesWritten);
}
