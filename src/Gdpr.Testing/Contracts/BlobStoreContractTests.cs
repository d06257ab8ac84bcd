using System.Security.Cryptography;
using Gdpr.Streams;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IBlobStore"/> contract as xunit tests: a blob is visible whole or not at all, an abandoned write
/// leaves nothing, a delete deletes, reads are positional. Derive from it and return your store from
/// <see cref="CreateStore"/>; every test uses names of its own, so a shared store is fine.
/// </summary>
public abstract class BlobStoreContractTests
{
    /// <summary>The size of the blobs the tests write: large enough to span several chunks or buffers of a store.</summary>
    protected const int BlobSize = 700_000;

    private IBlobStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected IBlobStore Store => _store ??= CreateStore();

    /// <summary>Creates (or returns) the store under test; call <c>Skip.If</c> here to skip with a reason.</summary>
    /// <returns>The store.</returns>
    protected abstract IBlobStore CreateStore();

    /// <summary>A blob is invisible until its commit, then reads back byte for byte.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Commit_MakesTheBlobVisible_NotBefore()
    {
        var name = NewName();
        var bytes = Bytes(BlobSize);
        await using var writer = await Store.CreateAsync(name);
        await WriteInPiecesAsync(writer, bytes);
        Assert.Null(await Store.OpenAsync(name));

        Assert.True(await writer.CommitAsync());

        Assert.Equal(bytes, await ReadAllAsync(name));
    }

    /// <summary>A writer disposed without a commit (a failed or abandoned write) leaves nothing; the name stays free.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Dispose_WithoutCommit_LeavesNothingAndTheNameFree()
    {
        var name = NewName();
        await using (var abandoned = await Store.CreateAsync(name))
        {
            await WriteInPiecesAsync(abandoned, Bytes(BlobSize));
        }

        Assert.Null(await Store.OpenAsync(name));
        Assert.False(await Store.DeleteAsync(name));
        var bytes = Bytes(1_000);
        await using var writer = await Store.CreateAsync(name);
        await writer.WriteAsync(bytes);
        Assert.True(await writer.CommitAsync());
        Assert.Equal(bytes, await ReadAllAsync(name));
    }

    /// <summary>Of two writers of one name, the first to commit wins; the second's commit reports false and changes nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Commit_NameTakenMeanwhile_ReturnsFalseAndKeepsTheFirst()
    {
        var name = NewName();
        var first = Bytes(BlobSize);
        await using var late = await Store.CreateAsync(name);
        await late.WriteAsync(Bytes(5_000));
        await using (var early = await Store.CreateAsync(name))
        {
            await early.WriteAsync(first);
            Assert.True(await early.CommitAsync());
        }

        Assert.False(await late.CommitAsync());

        Assert.Equal(first, await ReadAllAsync(name));
    }

    /// <summary>A delete removes the blob: it no longer opens, a second delete finds nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Delete_RemovesTheBlob()
    {
        var name = NewName();
        await WriteAsync(name, Bytes(BlobSize));

        Assert.True(await Store.DeleteAsync(name));

        Assert.Null(await Store.OpenAsync(name));
        Assert.False(await Store.DeleteAsync(name));
    }

    /// <summary>A name never written opens as null and deletes as false (the object store turns that into its typed error).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Missing_OpensAsNull_DeletesAsFalse()
    {
        var name = NewName();
        Assert.Null(await Store.OpenAsync(name));
        Assert.False(await Store.DeleteAsync(name));
    }

    /// <summary>Reads at any offset return that offset's bytes (what seeking needs); at or past the end they return 0.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ReadAt_AnyOffset_ReturnsThoseBytes()
    {
        var name = NewName();
        var bytes = Bytes(BlobSize);
        await WriteAsync(name, bytes);
        var reader = await Store.OpenAsync(name);
        Assert.NotNull(reader);
        await using (reader)
        {
            Assert.Equal(BlobSize, reader.Length);
            for (var i = 0; i < 40; i++)
            {
                var offset = RandomNumberGenerator.GetInt32(BlobSize);
                var buffer = new byte[RandomNumberGenerator.GetInt32(1, 100_000)];
                var read = await ReadFullyAsync(reader, offset, buffer);
                Assert.Equal(Math.Min(buffer.Length, BlobSize - offset), read);
                Assert.True(bytes.AsSpan(offset, read).SequenceEqual(buffer.AsSpan(0, read)), $"bytes at offset {offset}");
            }

            Assert.Equal(0, await reader.ReadAtAsync(BlobSize, new byte[10]));
            Assert.Equal(0, await reader.ReadAtAsync(BlobSize + 1_000, new byte[10]));
        }
    }

    /// <summary>A fresh blob name.</summary>
    /// <returns>The name.</returns>
    protected static string NewName() => "blob-" + Guid.NewGuid().ToString("N");

    /// <summary>Random bytes (they stand for ciphertext).</summary>
    /// <param name="length">How many.</param>
    /// <returns>The bytes.</returns>
    protected static byte[] Bytes(int length) => RandomNumberGenerator.GetBytes(length);

    /// <summary>Writes and commits a blob.</summary>
    /// <param name="name">The name.</param>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The task.</returns>
    protected async Task WriteAsync(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        await using var writer = await Store.CreateAsync(name);
        await WriteInPiecesAsync(writer, bytes);
        Assert.True(await writer.CommitAsync());
    }

    /// <summary>Reads a whole blob.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Its bytes.</returns>
    protected async Task<byte[]> ReadAllAsync(string name)
    {
        var reader = await Store.OpenAsync(name);
        Assert.NotNull(reader);
        await using (reader)
        {
            var bytes = new byte[reader.Length];
            Assert.Equal(bytes.Length, await ReadFullyAsync(reader, 0, bytes));
            return bytes;
        }
    }

    private static async Task WriteInPiecesAsync(IBlobWriter writer, byte[] bytes)
    {
        // Uneven pieces, so that a store's chunk or buffer boundaries fall inside writes.
        for (var at = 0; at < bytes.Length;)
        {
            var piece = Math.Min(bytes.Length - at, 65_563 + (at % 7 * 1_009));
            await writer.WriteAsync(bytes.AsMemory(at, piece));
            at += piece;
        }
    }

    private static async Task<int> ReadFullyAsync(IBlobReader reader, long offset, byte[] buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await reader.ReadAtAsync(offset + filled, buffer.AsMemory(filled));
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
