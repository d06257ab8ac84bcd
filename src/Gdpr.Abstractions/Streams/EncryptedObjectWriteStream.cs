namespace Gdpr.Streams;

/// <summary>
/// A write-only, forward-only stream that encrypts what is written into it segment by segment
/// (<see cref="IEncryptedObjectStore.OpenWriteAsync"/>). Call <see cref="CompleteAsync"/> when the last byte is
/// written: it seals the final segment and makes the object visible in the blob store.
/// </summary>
public abstract class EncryptedObjectWriteStream : Stream
{
    /// <summary>Gets the id of the object being written.</summary>
    public abstract string ObjectId { get; }

    /// <summary>
    /// Seals the final segment and commits the object to the blob store. Until this returns, no reader sees a valid
    /// object; disposing the stream without calling it leaves an object that reads as
    /// <see cref="IntegrityFailure.Incomplete"/> (as a writer that crashed mid-recording does).
    /// </summary>
    /// <param name="cancellationToken">Cancels the completion; nothing of the object is committed then.</param>
    /// <returns>A task that completes when the object is committed.</returns>
    public abstract ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
