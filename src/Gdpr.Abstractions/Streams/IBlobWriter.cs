namespace Gdpr.Streams;

/// <summary>Writes one blob front to back (<see cref="IBlobStore.CreateAsync"/>).</summary>
public interface IBlobWriter : IAsyncDisposable
{
    /// <summary>Appends bytes to the blob.</summary>
    /// <param name="data">The bytes (ciphertext).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the bytes are handed to the store.</returns>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes the blob durable and visible under its name, atomically.</summary>
    /// <param name="cancellationToken">Cancels the commit; the blob then stays invisible.</param>
    /// <returns><see langword="true"/> when committed; <see langword="false"/> when a blob of that name appeared meanwhile (this one is discarded).</returns>
    ValueTask<bool> CommitAsync(CancellationToken cancellationToken = default);
}
