namespace Gdpr.Streams;

/// <summary>
/// Where the ciphertext of encrypted objects lives: named, immutable blobs. The SDK hands a store only ciphertext;
/// the store needs no key and never sees plaintext. <c>FileSystemBlobStore</c> is the embedded default; consumers
/// plug in object storage by implementing this contract.
/// </summary>
/// <remarks>
/// A store must make a blob visible atomically: <see cref="OpenAsync"/> never returns a blob whose writer has not
/// called <see cref="IBlobWriter.CommitAsync"/>, and a blob's bytes never change once committed.
/// </remarks>
public interface IBlobStore
{
    /// <summary>Starts writing a new blob; it stays invisible until <see cref="IBlobWriter.CommitAsync"/>.</summary>
    /// <param name="name">The blob's name (an encrypted object's id).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The writer; disposing it without committing discards what was written.</returns>
    ValueTask<IBlobWriter> CreateAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed blob for positional reads.</summary>
    /// <param name="name">The blob's name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The reader, or <see langword="null"/> when there is no committed blob of that name.</returns>
    ValueTask<IBlobReader?> OpenAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob's bytes.</summary>
    /// <param name="name">The blob's name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when there was a blob to delete.</returns>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
