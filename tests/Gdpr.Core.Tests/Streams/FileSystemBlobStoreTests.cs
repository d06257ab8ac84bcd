using Gdpr.Streams;

namespace Gdpr.Core.Tests.Streams;

/// <summary>The embedded blob store: atomic, owner-only, and a failing disk leaves no half object.</summary>
public class FileSystemBlobStoreTests
{
    [Fact]
    public async Task Write_BeforeComplete_NothingIsVisibleUnderTheName()
    {
        await using var kit = StreamTestKit.Create();
        await using var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("in-progress"));
        await writer.WriteAsync(StreamTestKit.RandomBytes(300_000));

        Assert.False(File.Exists(kit.PathOf("in-progress")));
        await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("in-progress")).AsTask());
        var partial = Assert.Single(Directory.GetFiles(kit.Directory));
        Assert.StartsWith(".in-progress.", Path.GetFileName(partial), StringComparison.Ordinal);

        await writer.CompleteAsync();
        Assert.True(File.Exists(kit.PathOf("in-progress")));
        Assert.Single(Directory.GetFiles(kit.Directory));
    }

    [Fact]
    public async Task Write_WhatACrashedWriterLeaves_ReadsAsIncompleteEvenIfCommittedByHand()
    {
        // A killed process leaves its hidden temporary file, which no read returns. If an operator (or a store that
        // is not atomic) put those bytes under the object's name, they still read as incomplete, not as a shorter file.
        await using var kit = StreamTestKit.Create();
        var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("crashed"));
        await writer.WriteAsync(StreamTestKit.RandomBytes(300_000)); // four segments sealed and on disk, one buffered

        var partial = Assert.Single(Directory.GetFiles(kit.Directory));
        File.Copy(partial, kit.PathOf("crashed"));

        var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("crashed")).AsTask());
        Assert.Equal((IntegrityFailure.Incomplete, 3L), (error.Failure, error.Segment));
        await writer.DisposeAsync(); // its commit finds the name taken: nothing replaced
        Assert.Equal(IntegrityFailure.Incomplete, (await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("crashed")).AsTask())).Failure);
        Assert.Single(Directory.GetFiles(kit.Directory));
    }

    [Fact]
    public async Task Create_OnUnix_FolderAndFilesAreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // ACLs inherited from the profile folder; no mode bits to check
        }

        await using var kit = StreamTestKit.Create(directory: Path.Combine(Path.GetTempPath(), "gdpr-streams-" + Guid.NewGuid().ToString("N"), "nested", "blobs"));
        await kit.WriteAsync("private", [1, 2, 3]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(kit.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kit.PathOf("private")));
        Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(kit.Directory))!, recursive: true);
    }

    [Theory]
    [InlineData(0)] // the header write itself fails
    [InlineData(150_000)]
    public async Task Write_DiskFullMidway_LeavesNoFileAndNoObject(int failAfter)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gdpr-streams-" + Guid.NewGuid().ToString("N"));
        await using var kit = StreamTestKit.Create(directory: directory);
        var store = new FileSystemBlobStore(directory, file => DiskFullAfter(file, failAfter));
        var objects = new EncryptedObjectStore(
            (Gdpr.Keys.SubjectKeyManager)kit.Host.Keys, store,
            Microsoft.Extensions.Options.Options.Create(new GdprOptions { PseudonymKey = TestSupport.GdprTestHost.PseudonymKey }),
            new Gdpr.Diagnostics.GdprMetrics(null));

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await using var writer = await objects.OpenWriteAsync(StreamTestKit.Address("full-disk"));
            await writer.WriteAsync(StreamTestKit.RandomBytes(400_000));
            await writer.CompleteAsync();
        });

        Assert.Empty(Directory.GetFileSystemEntries(directory)); // no object and no temporary file
        await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => objects.OpenReadAsync(StreamTestKit.Address("full-disk")).AsTask());
    }

    [Fact]
    public async Task Delete_Missing_ReturnsFalse()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gdpr-streams-" + Guid.NewGuid().ToString("N"));
        var store = new FileSystemBlobStore(directory);
        try
        {
            Assert.False(await store.DeleteAsync("nothing"));
            Assert.Null(await store.OpenAsync("nothing"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A stream over the temporary file that writes through until <paramref name="limit"/> bytes, then fails as a full disk does.</summary>
    /// <remarks>Hand-written rather than a Moq mock: the store calls Write(ReadOnlySpan&lt;byte&gt;), which Moq's proxies cannot intercept.</remarks>
    private static DiskFullStream DiskFullAfter(Stream file, int limit) => new(file, limit);

    private sealed class DiskFullStream(Stream file, int limit) : Stream
    {
        private int _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
            {
                throw new IOException("No space left on device");
            }

            _written += buffer.Length;
            file.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush() => file.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
