namespace Gdpr.Streams;

/// <summary>
/// Large personal data (call recordings, attachments) as encrypted objects under the subject's key for a scope:
/// written through a <see cref="System.IO.Stream"/> with memory bounded by two segments whatever the size, read
/// through a seekable <see cref="System.IO.Stream"/> that decrypts only the segments a read touches. The ciphertext
/// lives in the registered <see cref="IBlobStore"/>; docs/streams.md describes the format byte by byte.
/// </summary>
public interface IEncryptedObjectStore
{
    /// <summary>
    /// Opens a new object for writing. Copy the plaintext into the stream, then call
    /// <see cref="EncryptedObjectWriteStream.CompleteAsync"/>: only a completed object reads back. A stream disposed
    /// without completing leaves an object that reads as <see cref="IntegrityFailure.Incomplete"/>, never as a
    /// shorter valid file; a blob store that fails during the write, or a cancelled write, leaves no object at all.
    /// </summary>
    /// <param name="address">The subject, scope and new object id.</param>
    /// <param name="cancellationToken">Cancels opening (loading or creating the subject's key).</param>
    /// <returns>The write stream.</returns>
    /// <exception cref="EncryptedObjectExistsException">An object with that id exists.</exception>
    /// <exception cref="KeyUnavailableException">The subject's key could not be had; nothing was written.</exception>
    ValueTask<EncryptedObjectWriteStream> OpenWriteAsync(EncryptedObjectAddress address, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object for reading: a seekable stream (<see cref="System.IO.Stream.CanSeek"/>,
    /// <see cref="System.IO.Stream.Length"/>, <see cref="System.IO.Stream.Position"/>). Opening checks the header
    /// and the final segment, so a truncated, extended or moved object fails here; every other segment is checked
    /// when a read first touches it. A read at or past the end returns 0, as every stream does.
    /// </summary>
    /// <param name="address">The subject, scope and object id the object was written with.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The read stream; dispose it.</returns>
    /// <exception cref="EncryptedObjectNotFoundException">The blob store has no object with that id.</exception>
    /// <exception cref="EncryptedObjectErasedException">The subject's key for the scope was destroyed (crypto-shredding).</exception>
    /// <exception cref="EncryptedObjectIntegrityException">The object's bytes were altered, cut, extended, moved, or belong to another subject or scope.</exception>
    ValueTask<Stream> OpenReadAsync(EncryptedObjectAddress address, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object's bytes from the blob store (docs/streams.md says what file deletion can promise).</summary>
    /// <param name="objectId">The object id.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns><see langword="true"/> when there was an object to delete.</returns>
    ValueTask<bool> DeleteAsync(string objectId, CancellationToken cancellationToken = default);
}
