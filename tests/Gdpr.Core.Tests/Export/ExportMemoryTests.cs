using Gdpr.Export;
using Xunit.Abstractions;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>
/// The export streams: what it keeps alive must not grow with the number of values. Measured as the live heap after
/// a full collection half-way through the export (10,000 vs 100,000 values), not as time.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class ExportMemoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Csv)]
    [InlineData(ExportFormat.Zip)]
    public async Task ExportAsync_100000Values_LiveHeapDoesNotGrowWithSize(ExportFormat format)
    {
        await MeasureAsync(format, 2_000); // warm up: JIT, pools, statics

        var (small, smallWritten) = await MeasureAsync(format, 10_000);
        var (large, largeWritten) = await MeasureAsync(format, 100_000);

        // The export really wrote everything (about ten times as much) ...
        Assert.InRange(largeWritten, smallWritten * 9, smallWritten * 11);
        Assert.True(format == ExportFormat.Zip || largeWritten > 100_000 * 50L, $"only {largeWritten} bytes written for 100,000 values");
        output.WriteLine($"{format}: live heap half-way {small:N0} B (10,000 values), {large:N0} B (100,000 values); written {largeWritten:N0} B");

        // ... while what it kept alive half-way stayed flat: buffering 45,000 more values of ~100 bytes would add ~4.5 MB.
        Assert.True(large - small < 1_000_000, $"live heap half-way: {small:N0} bytes at 10,000 values, {large:N0} bytes at 100,000 values");
    }

    private static async Task<(long LiveHeapHalfWay, long BytesWritten)> MeasureAsync(ExportFormat format, int count)
    {
        long halfWay = 0;
        var source = new GeneratedDataSource(count, i =>
        {
            if (i == count / 2)
            {
                halfWay = GC.GetTotalMemory(forceFullCollection: true);
            }
        });
        await using var provider = BuildProvider(null, source);
        var destination = new CountingNullStream();

        var summary = await Exporter(provider).ExportAsync("cust-1", destination, format);

        Assert.Equal(count, summary.ValueCount);
        return (halfWay, destination.Written);
    }

    /// <summary>Discards what is written and counts it.</summary>
    private sealed class CountingNullStream : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Written += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Written += count;
            return Task.CompletedTask;
        }
    }
}
