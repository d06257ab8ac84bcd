using System.Diagnostics;
using System.Security.Cryptography;
using Gdpr.Core.Tests.Export;
using Xunit.Abstractions;

namespace Gdpr.Core.Tests.Streams;

/// <summary>
/// A 1 GiB object written and read through the streams with the file-system store: what is allocated does not
/// grow with the size (the streams hold two segments, never the object). Measured as bytes allocated by the whole
/// process during the copy (no other test runs meanwhile: the collection is not parallel).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class StreamMemoryTests(ITestOutputHelper output)
{
    private const long Size = 1L << 30;

    [Fact]
    public async Task WriteThenRead_1GiB_AllocatesUnder1KiBPerMiB()
    {
        await using var kit = StreamTestKit.Create();
        await WriteAndReadAsync(kit, "warm-up", 4 << 20); // JIT, pools, the key

        var (written, read, writeTime, readTime) = await WriteAndReadAsync(kit, "one-gib", Size);

        var mib = Size / (1 << 20);
        output.WriteLine($"1 GiB: write {writeTime.TotalSeconds:F1} s, {written:N0} B allocated ({written / mib:N0} B/MiB); read {readTime.TotalSeconds:F1} s, {read:N0} B allocated ({read / mib:N0} B/MiB)");
        Assert.True(written / mib < 1024, $"writing allocated {written:N0} bytes for 1 GiB");
        Assert.True(read / mib < 1024, $"reading allocated {read:N0} bytes for 1 GiB");
    }

    private static async Task<(long Written, long Read, TimeSpan WriteTime, TimeSpan ReadTime)> WriteAndReadAsync(StreamTestKit kit, string objectId, long size)
    {
        using var source = new GeneratedStream(size);
        var watch = Stopwatch.StartNew();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await using (var writer = await kit.Objects.OpenWriteAsync(StreamTestKit.Address(objectId)))
        {
            await source.CopyToAsync(writer, 1 << 20);
            await writer.CompleteAsync();
        }

        var written = GC.GetTotalAllocatedBytes(precise: true) - before;
        var writeTime = watch.Elapsed;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        watch.Restart();
        before = GC.GetTotalAllocatedBytes(precise: true);
        await using (var reader = await kit.Objects.OpenReadAsync(StreamTestKit.Address(objectId)))
        {
            Assert.Equal(size, reader.Length);
            int count;
            while ((count = await reader.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, count);
            }
        }

        var read = GC.GetTotalAllocatedBytes(precise: true) - before;
        var readTime = watch.Elapsed;
        Assert.Equal(source.Hash, hash.GetHashAndReset());
        File.Delete(kit.PathOf(objectId));
        return (written, read, writeTime, readTime);
    }

    /// <summary>Pseudo-random bytes made on the fly (no buffer of the object's size), hashed as they go out.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _position;
        private ulong _state = 0x9E3779B97F4A7C15;

        public byte[] Hash => _hash.GetCurrentHash();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position) & ~7;
            if (count == 0 && _position < length)
            {
                count = (int)(length - _position);
            }

            for (var i = 0; i + 8 <= count; i += 8)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer[i..], _state);
            }

            buffer[(count & ~7)..count].Fill(0x5A);
            _hash.AppendData(buffer[..count]);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
