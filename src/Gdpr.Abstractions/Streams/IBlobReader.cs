namespace Gdpr.Streams;

/// <summary>Positional reads of one committed blob (<see cref="IBlobStore.OpenAsync"/>): what a seekable stream needs.</summary>
public interface IBlobReader : IAsyncDisposable
{
    /// <summary>Gets the blob's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads bytes at an offset; may return fewer than asked, and 0 at the end.</summary>
    /// <param name="offset">The offset from the blob's start.</param>
    /// <param name="buffer">Receives the bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of bytes read.</returns>
    ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);
}
