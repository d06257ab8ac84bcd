using CsCheck;
using Gdpr.Streams;
using Microsoft.Extensions.DependencyInjection;
using Gdpr.Core.Tests.TestSupport;

namespace Gdpr.Core.Tests.Streams;

/// <summary>What the streams promise besides the bytes: seeking, the end, bad ids, abandoned writers, erasure.</summary>
public class StreamBehaviourTests
{
    [Fact]
    public async Task Read_RandomSeeksAndLengths_MatchThePlaintext()
    {
        // 1 KiB segments: reads start and end inside segments, span several, and stop at the end.
        await using var kit = StreamTestKit.Create(segmentSize: 1024);
        var plaintext = StreamTestKit.RandomBytes(300_000, seed: 7);
        await kit.WriteAsync("seek", plaintext);
        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("seek"));
        Assert.True(reader.CanSeek);
        Assert.Equal(plaintext.Length, reader.Length);

        Gen.Select(Gen.Long[0, plaintext.Length + 2_000], Gen.Int[0, 10_000], Gen.Int[0, 2]).Sample((offset, count, origin) =>
        {
            var at = origin switch
            {
                0 => reader.Seek(offset, SeekOrigin.Begin),
                1 => reader.Seek(offset - reader.Position, SeekOrigin.Current),
                _ => reader.Seek(offset - reader.Length, SeekOrigin.End),
            };
            Assert.Equal(offset, at);
            Assert.Equal(offset, reader.Position);

            var buffer = new byte[count];
            var read = reader.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            var expected = (int)Math.Clamp(plaintext.Length - offset, 0, count);
            Assert.Equal(expected, read);
            Assert.Equal(plaintext.AsSpan((int)Math.Min(offset, plaintext.Length), expected).ToArray(), buffer[..read]);
            Assert.Equal(offset + read, reader.Position);
        }, iter: 500, threads: 1); // one stream, one reader at a time, as Stream requires
    }

    [Fact]
    public async Task Read_AtOrPastTheEnd_ReturnsZero()
    {
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("end", [1, 2, 3]);
        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("end"));
        var buffer = new byte[10];

        Assert.Equal(3, await reader.ReadAsync(buffer));
        Assert.Equal(0, await reader.ReadAsync(buffer));
        reader.Position = 1_000_000;
        Assert.Equal(0, await reader.ReadAsync(buffer));
        Assert.Equal(0, reader.Read(buffer, 0, 10));
    }

    [Fact]
    public async Task Seek_BeforeTheStart_ThrowsArgumentOutOfRange()
    {
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("neg", [1, 2, 3]);
        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("neg"));

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Position = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Seek(-4, SeekOrigin.End));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Seek(-1, SeekOrigin.Begin));
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public async Task OpenRead_MissingObject_ThrowsNotFound()
    {
        await using var kit = StreamTestKit.Create();
        var error = await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("never-written")).AsTask());
        Assert.Equal("never-written", error.ObjectId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../keys/active")]
    [InlineData(".hidden")]
    [InlineData("Jane Doe +33 6 12 34 56 78")]
    public async Task Open_InvalidObjectId_ThrowsArgumentExceptionWithoutEchoingIt(string objectId)
    {
        await using var kit = StreamTestKit.Create();

        var read = await Assert.ThrowsAnyAsync<ArgumentException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address(objectId)).AsTask());
        var write = await Assert.ThrowsAnyAsync<ArgumentException>(() => kit.Objects.OpenWriteAsync(StreamTestKit.Address(objectId)).AsTask());

        foreach (var error in new[] { read, write })
        {
            Assert.Equal("objectId", error.ParamName);
            Assert.DoesNotContain("Jane", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OpenWrite_ExistingObject_ThrowsExistsAndKeepsTheOldBytes()
    {
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("once", [1, 2, 3]);

        await Assert.ThrowsAsync<EncryptedObjectExistsException>(() => kit.Objects.OpenWriteAsync(StreamTestKit.Address("once")).AsTask());

        Assert.Equal([1, 2, 3], await kit.ReadAllAsync("once"));
    }

    [Fact]
    public async Task OpenWrite_TwoWritersOfOneId_TheSecondCommitThrowsExists()
    {
        await using var kit = StreamTestKit.Create();
        var first = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("race"));
        var second = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("race"));
        await first.WriteAsync(new byte[] { 1 });
        await second.WriteAsync(new byte[] { 2 });

        await first.CompleteAsync();
        await Assert.ThrowsAsync<EncryptedObjectExistsException>(() => second.CompleteAsync().AsTask());
        await first.DisposeAsync();
        await second.DisposeAsync();

        Assert.Equal([1], await kit.ReadAllAsync("race"));
        Assert.Single(Directory.GetFiles(kit.Directory)); // the loser's temporary file is gone
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(200_000)]
    public async Task Dispose_WithoutComplete_LeavesAnObjectThatReadsAsIncomplete(int written)
    {
        await using var kit = StreamTestKit.Create();
        await using (var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("abandoned")))
        {
            await writer.WriteAsync(StreamTestKit.RandomBytes(written));
            Assert.Equal(written, writer.Position);
        }

        var error = await Assert.ThrowsAsync<EncryptedObjectIntegrityException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("abandoned")).AsTask());
        Assert.Equal(IntegrityFailure.Incomplete, error.Failure);
    }

    [Fact]
    public async Task Write_AfterComplete_ThrowsInvalidOperation()
    {
        await using var kit = StreamTestKit.Create();
        await using var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("done"));
        await writer.CompleteAsync();

        Assert.False(writer.CanWrite);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new byte[] { 1 }).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
    }

    [Fact]
    public async Task OpenRead_AfterTheScopeKeyIsShredded_ThrowsErasedOnThisAndAFreshNode()
    {
        // GDPR Art. 17: destroying the scope's data key erases every object under it, with no per-object key to find.
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("call-1", StreamTestKit.RandomBytes(100_000));
        await kit.WriteAsync("call-2", StreamTestKit.RandomBytes(10));
        await kit.WriteAsync("other-scope", [1, 2, 3], scope: "complaints");

        Assert.NotNull(await kit.Host.Keys.ShredAsync(StreamTestKit.Subject, StreamTestKit.Scope));

        foreach (var id in new[] { "call-1", "call-2" })
        {
            var error = await Assert.ThrowsAsync<EncryptedObjectErasedException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address(id)).AsTask());
            Assert.Equal((id, StreamTestKit.Scope, kit.Host.Keys.GetPseudonym(StreamTestKit.Subject).Value), (error.ObjectId, error.Scope, error.SubjectPseudonym));
            Assert.True(File.Exists(kit.PathOf(id))); // the bytes are still there, and useless
        }

        Assert.Equal([1, 2, 3], await kit.ReadAllAsync("other-scope", scope: "complaints"));

        // Another node with an empty cache, sharing the key store: erased there too.
        await using var fresh = StreamTestKit.Create(directory: kit.Directory, sharedStoresOf: kit.Host);
        await Assert.ThrowsAsync<EncryptedObjectErasedException>(() => fresh.Objects.OpenReadAsync(StreamTestKit.Address("call-1")).AsTask());

        // A new object of the scope gets the next key; the old ones stay erased.
        await kit.WriteAsync("call-3", [4, 5]);
        Assert.Equal([4, 5], await kit.ReadAllAsync("call-3"));
        await Assert.ThrowsAsync<EncryptedObjectErasedException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("call-1")).AsTask());
    }

    [Fact]
    public async Task OpenRead_ObjectWrittenByAnotherNodeAfterThisOneCachedTheScope_Reads()
    {
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("before", [1]);
        await kit.Host.Keys.ShredAsync(StreamTestKit.Subject, StreamTestKit.Scope);
        await Assert.ThrowsAsync<EncryptedObjectErasedException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("before")).AsTask()); // caches "no live key"

        await using var other = StreamTestKit.Create(directory: kit.Directory, sharedStoresOf: kit.Host);
        await other.WriteAsync("after", [2]); // creates key version 2, which this node's cache does not know

        Assert.Equal([2], await kit.ReadAllAsync("after"));
    }

    [Fact]
    public async Task Write_Cancelled_ThrowsAndCommitsNothing()
    {
        await using var kit = StreamTestKit.Create();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.Objects.OpenWriteAsync(StreamTestKit.Address("cancelled"), cancelled.Token).AsTask());
        Assert.Empty(Directory.GetFiles(kit.Directory));

        await using (var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("cancelled")))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.WriteAsync(StreamTestKit.RandomBytes(200_000), cancelled.Token).AsTask());

            // A segment was sealed and not stored: the stream cannot go on, and nothing of it is committed.
            Assert.False(writer.CanWrite);
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
        }

        await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("cancelled")).AsTask());
        Assert.Empty(Directory.GetFiles(kit.Directory));
    }

    [Fact]
    public async Task Delete_RemovesTheBytes()
    {
        await using var kit = StreamTestKit.Create();
        await kit.WriteAsync("gone", [1, 2, 3]);

        Assert.True(await kit.Objects.DeleteAsync("gone"));
        Assert.False(File.Exists(kit.PathOf("gone")));
        Assert.False(await kit.Objects.DeleteAsync("gone"));
        await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => kit.Objects.OpenReadAsync(StreamTestKit.Address("gone")).AsTask());
    }

    [Fact]
    public async Task Resolve_WithoutABlobStore_SaysWhichCallIsMissing()
    {
        await using var host = GdprTestHost.Create();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IEncryptedObjectStore>());

        Assert.Contains("UseFileSystemBlobStore", error.Message, StringComparison.Ordinal);
    }
}
