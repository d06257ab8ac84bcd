namespace Gdpr.Encryption;

/// <summary>
/// Encrypts and decrypts personal-data values under their subject's key, as self-describing envelopes.
/// </summary>
/// <remarks>
/// <para>The methods fetch (and, when encrypting, create) the subject's key. Storage adapters and other hot paths
/// that need synchronous, allocation-free calls on cached keys use
/// <see cref="Infrastructure.ISpanFieldEncryptor"/>, which the SDK's encryptor also implements.</para>
/// <para>A value whose key was destroyed reads as erased (<see cref="FieldValue{T}.IsErased"/>), not as an exception. A tampered, truncated or foreign envelope throws
/// <see cref="PersonalDataIntegrityException"/>.</para>
/// </remarks>
public interface IFieldEncryptor
{
    /// <summary>Gets the algorithm new envelopes are written with. Envelopes of either algorithm are read.</summary>
    FieldEncryptionAlgorithm Algorithm { get; }

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
