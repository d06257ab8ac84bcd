namespace Gdpr.Storage.EfCore.Streams;

/// <summary>
/// One committed blob: its name, the id its chunks are stored under, and its length. The row is inserted last, in
/// the transaction that inserted the chunks, so that a blob is visible whole or not at all.
/// </summary>
internal sealed class BlobRow
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the id of this write's chunks (a fresh one per write, so two writers of one name never collide on a chunk).</summary>
    public Guid BlobId { get; set; }

    public long Length { get; set; }

    /// <summary>Gets or sets the bytes per chunk of this blob (every chunk but the last is this long).</summary>
    public int ChunkSize { get; set; }
}

/// <summary>One chunk of a blob's bytes (ciphertext).</summary>
internal sealed class BlobChunkRow
{
    public Guid BlobId { get; set; }

    public int Number { get; set; }

    public byte[] Data { get; set; } = [];
}
