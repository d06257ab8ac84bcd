namespace Gdpr.Keys;

/// <summary>
/// Holds the key-encryption keys (KEKs) that wrap the subjects' data keys. The SDK ships a local master-key
/// provider; consumers plug in a cloud KMS or an HSM.
/// </summary>
/// <remarks>
/// Retiring a KEK is what carries an erasure into old backups: a backup holds data keys wrapped under the KEKs of
/// its day, so once every live key is rewrapped and the old KEK retired, a key destroyed since that backup was
/// taken can no longer be unwrapped from it.
/// </remarks>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>Gets the id of the KEK new data keys are wrapped with.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The active KEK's id.</returns>
    ValueTask<string> GetActiveKeyIdAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the ids of every KEK that can still unwrap keys, the active one included.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The KEK ids.</returns>
    ValueTask<IReadOnlyList<string>> GetKeyIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>Encrypts a data key under a KEK, binding it to <paramref name="associatedData"/>.</summary>
    /// <param name="keyEncryptionKeyId">The KEK to use.</param>
    /// <param name="dataKey">The data key bytes.</param>
    /// <param name="associatedData">Data the wrapping is bound to (the key's subject, scope and version).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The wrapped key.</returns>
    /// <exception cref="KeyUnavailableException">The KEK is unknown, retired or cannot be reached.</exception>
    ValueTask<byte[]> WrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> dataKey, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default);

    /// <summary>Decrypts a wrapped data key into <paramref name="dataKey"/>.</summary>
    /// <param name="keyEncryptionKeyId">The KEK that wrapped it.</param>
    /// <param name="wrappedKey">The wrapped key.</param>
    /// <param name="associatedData">The data the wrapping was bound to.</param>
    /// <param name="dataKey">Receives the data key; the caller wipes it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KeyUnavailableException">The KEK is unknown, retired or cannot be reached.</exception>
    /// <exception cref="PersonalDataIntegrityException">The wrapped key or its associated data was altered.</exception>
    ValueTask UnwrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> wrappedKey, ReadOnlyMemory<byte> associatedData, Memory<byte> dataKey, CancellationToken cancellationToken = default);

    /// <summary>Creates a new KEK and makes it the active one (the first step of a KEK rotation).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new KEK's id.</returns>
    ValueTask<string> CreateKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>Destroys a KEK so that nothing wrapped under it can be unwrapped again, here or in any backup.</summary>
    /// <param name="keyEncryptionKeyId">The KEK to retire. It must not be the active one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask RetireKeyAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default);
}
