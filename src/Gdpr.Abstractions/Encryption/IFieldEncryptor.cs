namespace Gdpr.Encryption;

/// <summary>
/// Encrypts and decrypts personal-data values under their subject's key, as self-describing envelopes.
/// </summary>
/// <remarks>
/// <para>The async methods fetch (and, when encrypting, create) the subject's key. The synchronous span methods
/// never block on I/O: they use the key cache only, so that hot paths such as materialization can call them after
/// <see cref="PrepareAsync"/> loaded the keys they need.</para>
/// <para>A value whose key was destroyed reads as erased (<see cref="FieldValue{T}.IsErased"/>,
/// <see cref="FieldReadStatus.Erased"/>), not as an exception. A tampered, truncated or foreign envelope throws
/// <see cref="PersonalDataIntegrityException"/>.</para>
/// </remarks>
public interface IFieldEncryptor
{
    /// <summary>Gets the algorithm new envelopes are written with. Envelopes of either algorithm are read.</summary>
    FieldEncryptionAlgorithm Algorithm { get; }

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

    /// <summary>Encrypts bytes, fetching or creating the subject's key.</summary>
    /// <param name="field">The value's address.</param>
    /// <param name="plaintext">The value's bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="KeyUnavailableException">The key cannot be had; nothing is encrypted (fail closed).</exception>
    ValueTask<byte[]> EncryptAsync(FieldAddress field, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default);

    /// <summary>Decrypts bytes, fetching the subject's key.</summary>
    /// <param name="field">The value's address.</param>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bytes, or erased.</returns>
    /// <exception cref="PersonalDataIntegrityException">The envelope was tampered with, truncated or belongs elsewhere.</exception>
    ValueTask<FieldValue<byte[]>> DecryptAsync(FieldAddress field, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Encrypts a typed value: string, byte[], integers, decimal, double, bool, char, DateTime, DateTimeOffset,
    /// DateOnly, TimeOnly, TimeSpan, Guid or an enum.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="field">The value's address.</param>
    /// <param name="value">The value; not <see langword="null"/> (store null as null, not as an envelope).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The envelope.</returns>
    ValueTask<byte[]> EncryptValueAsync<T>(FieldAddress field, T value, CancellationToken cancellationToken = default)
        where T : notnull;

    /// <summary>Decrypts a typed value written by <see cref="EncryptValueAsync{T}"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="field">The value's address.</param>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or erased.</returns>
    ValueTask<FieldValue<T>> DecryptValueAsync<T>(FieldAddress field, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
        where T : notnull;
}
