using System.Security.Cryptography;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Streams;

namespace Gdpr.Core.Tests.Streams;

/// <summary>Objects of every size around the segment boundary come back byte for byte, on both algorithms; the file holds only ciphertext.</summary>
public class StreamRoundTripTests
{
    public static TheoryData<FieldEncryptionAlgorithm, int> Sizes()
    {
        var data = new TheoryData<FieldEncryptionAlgorithm, int>();
        foreach (var algorithm in new[] { FieldEncryptionAlgorithm.Aegis256, FieldEncryptionAlgorithm.Aes256Gcm })
        {
            foreach (var size in new[] { 0, 1, (64 * 1024) - 1, 64 * 1024, (64 * 1024) + 1, 10_000_000 })
            {
                data.Add(algorithm, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task WriteThenRead_Size_ReturnsSameBytesAndStoresCiphertextOfExpectedLength(FieldEncryptionAlgorithm algorithm, int size)
    {
        await using var kit = StreamTestKit.Create(algorithm);
        var plaintext = StreamTestKit.RandomBytes(size);

        await kit.WriteAsync("call-1", plaintext);

        Assert.Equal(plaintext, await kit.ReadAllAsync("call-1"));

        // What is on disk: the header, then one tag per segment over exactly the plaintext's length; never the plaintext.
        var stored = await File.ReadAllBytesAsync(kit.PathOf("call-1"));
        var tag = algorithm == FieldEncryptionAlgorithm.Aegis256 ? 32 : 16;
        var prefix = algorithm == FieldEncryptionAlgorithm.Aegis256 ? 23 : 7;
        var segments = Math.Max(1, (size + (64 * 1024) - 1) / (64 * 1024));
        Assert.Equal(46 + prefix + 2 + "call-1".Length + size + (segments * tag), stored.Length);
        Assert.Equal("GDPS"u8.ToArray(), stored[..4]);
        Assert.Equal((byte)algorithm, stored[5]);
        if (size >= 64)
        {
            Assert.DoesNotContain(Convert.ToHexString(plaintext.AsSpan(0, 32)), Convert.ToHexString(stored), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WriteThenRead_SynchronousStreamCalls_ReturnSameBytes()
    {
        // ZipArchive and Stream.CopyTo use the synchronous members.
        await using var kit = StreamTestKit.Create();
        var plaintext = StreamTestKit.RandomBytes(200_000);
        await using (var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address("sync-1")))
        {
            new MemoryStream(plaintext).CopyTo(writer, 5_000);
            await writer.CompleteAsync();
        }

        await using var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address("sync-1"));
        var copy = new MemoryStream();
        reader.CopyTo(copy, 3_001);
        Assert.Equal(plaintext, copy.ToArray());
    }

    [Fact]
    public async Task WriteThenRead_TwoObjectsOfOneSubject_HaveDifferentSaltsAndCiphertexts()
    {
        await using var kit = StreamTestKit.Create();
        var plaintext = StreamTestKit.RandomBytes(1_000);
        await kit.WriteAsync("a", plaintext);
        await kit.WriteAsync("b", plaintext);

        var a = await File.ReadAllBytesAsync(kit.PathOf("a"));
        var b = await File.ReadAllBytesAsync(kit.PathOf("b"));
        Assert.NotEqual(a[14..46], b[14..46]); // salt
        Assert.NotEqual(a[^1_032..], b[^1_032..]); // the segment
    }

    [Fact]
    public void DeriveObjectKey_IsHkdfSha256OfTheDataKey()
    {
        // docs/streams.md promises RFC 5869 HKDF-SHA-256: checked against .NET's own implementation.
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var salt = RandomNumberGenerator.GetBytes(32);
        var info = "gdpr.stream.v1\0\u0001call-1"u8.ToArray();
        using var entry = new DataKeyEntry("s", "scope", new SubjectPseudonym("p"), 1, 0, dataKey, 0);
        var derived = new byte[32];

        entry.DeriveObjectKey(salt, info, derived);

        Assert.Equal(HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, salt, info), derived);
    }

    [Fact]
    public async Task OpenWriteAsync_SegmentSizeOfOtherWriter_ReaderTakesItFromTheHeader()
    {
        await using var kit = StreamTestKit.Create(segmentSize: 1024);
        var plaintext = StreamTestKit.RandomBytes(10_000);
        await kit.WriteAsync("small-segments", plaintext);

        ((EncryptedObjectStore)kit.Objects).SegmentSize = 64 * 1024;

        Assert.Equal(plaintext, await kit.ReadAllAsync("small-segments"));
        Assert.Equal(1024u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await File.ReadAllBytesAsync(kit.PathOf("small-segments"))).AsSpan(10, 4)));
    }
}
