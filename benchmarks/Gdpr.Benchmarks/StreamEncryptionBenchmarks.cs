using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Gdpr.Streams;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;

namespace Gdpr.Benchmarks;

/// <summary>
/// Encrypted objects (docs/streams.md) against raw AEGIS-256 over the same bytes: encrypting and decrypting a
/// 100 MB object through the streams, and a 4 KiB read at a random offset against one segment's decryption.
/// </summary>
/// <remarks>
/// The blob store is in memory (a sink for writes, one stored object for reads), so the figures are the streams'
/// and the crypto's, not a disk's. The raw baselines seal 64 KiB chunks with NSec under one key with a 32-byte
/// associated data (the SDK binds the header's SHA-256), into one reused buffer.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class StreamEncryptionBenchmarks
{
    private const int Size = 100 * 1024 * 1024;
    private const int Segment = 64 * 1024;
    private const int Chunk = 1024 * 1024;
    private static readonly AeadAlgorithm Aegis = AeadAlgorithm.Aegis256;

    private readonly byte[] _plaintext = new byte[Chunk];
    private readonly byte[] _sealed = new byte[Segment + 32];
    private readonly byte[] _read = new byte[Chunk];
    private readonly byte[] _nonce = new byte[32];
    private readonly byte[] _associatedData = new byte[32];
    private byte[] _rawCiphertext = [];
    private Key _key = null!;
    private ServiceProvider _services = null!;
    private IEncryptedObjectStore _objects = null!;
    private Stream _reader = null!;
    private long[] _offsets = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_plaintext);
        RandomNumberGenerator.Fill(_associatedData);
        _key = Key.Create(Aegis);

        // Raw ciphertext of 100 MB, for the raw decryption.
        _rawCiphertext = new byte[(Size / Segment) * (Segment + 32)];
        for (var i = 0; i < Size / Segment; i++)
        {
            Aegis.Encrypt(_key, Nonce(i), _associatedData, _plaintext.AsSpan((i * Segment) % Chunk, Segment), _rawCiphertext.AsSpan(i * (Segment + 32), Segment + 32));
        }

        var services = new ServiceCollection();
        services.AddSingleton<IBlobStore>(new MemoryBlobStore());
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores();
        _services = services.BuildServiceProvider();
        _objects = _services.GetRequiredService<IEncryptedObjectStore>();
        WriteAsync(MemoryBlobStore.StoredName).AsTask().GetAwaiter().GetResult();
        _reader = _objects.OpenReadAsync(Address(MemoryBlobStore.StoredName)).AsTask().GetAwaiter().GetResult();

        var random = new Random(42);
        _offsets = Enumerable.Range(0, 1024).Select(_ => random.NextInt64(0, Size - 4096)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _services.Dispose();
        _key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AEGIS-256, encrypt 100 MB")]
    [BenchmarkCategory("encrypt")]
    public void Raw_Encrypt()
    {
        for (var i = 0; i < Size / Segment; i++)
        {
            Aegis.Encrypt(_key, Nonce(i), _associatedData, _plaintext.AsSpan((i * Segment) % Chunk, Segment), _sealed);
        }
    }

    [Benchmark(Description = "SDK stream, encrypt 100 MB")]
    [BenchmarkCategory("encrypt")]
    public ValueTask Sdk_Encrypt() => WriteAsync("sink");

    [Benchmark(Baseline = true, Description = "raw AEGIS-256, decrypt 100 MB")]
    [BenchmarkCategory("decrypt")]
    public bool Raw_Decrypt()
    {
        var ok = true;
        for (var i = 0; i < Size / Segment; i++)
        {
            ok &= Aegis.Decrypt(_key, Nonce(i), _associatedData, _rawCiphertext.AsSpan(i * (Segment + 32), Segment + 32), _read.AsSpan(0, Segment));
        }

        return ok;
    }

    [Benchmark(Description = "SDK stream, decrypt 100 MB")]
    [BenchmarkCategory("decrypt")]
    public async ValueTask<long> Sdk_Decrypt()
    {
        _reader.Position = 0;
        long total = 0;
        int read;
        while ((read = await _reader.ReadAsync(_read)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "raw AEGIS-256, decrypt one 64 KiB segment")]
    [BenchmarkCategory("random read")]
    public bool Raw_DecryptSegment()
        => Aegis.Decrypt(_key, Nonce(7), _associatedData, _rawCiphertext.AsSpan(7 * (Segment + 32), Segment + 32), _read.AsSpan(0, Segment));

    [Benchmark(Description = "SDK stream, 4 KiB at a random offset")]
    [BenchmarkCategory("random read")]
    public ValueTask<int> Sdk_RandomRead()
    {
        // Offsets in turn from a fixed random list: nearly always another segment than the one decrypted last.
        _reader.Position = _offsets[_next++ & 1023];
        return _reader.ReadAsync(_read.AsMemory(0, 4096));
    }

    [Benchmark(Description = "SDK stream, open + 4 KiB at a random offset")]
    [BenchmarkCategory("random read")]
    public async ValueTask<int> Sdk_OpenAndRandomRead()
    {
        // What one HTTP range request costs: key from the cache, header, final-segment check, the segment read.
        await using var reader = await _objects.OpenReadAsync(Address(MemoryBlobStore.StoredName));
        reader.Position = _offsets[_next++ & 1023];
        return await reader.ReadAsync(_read.AsMemory(0, 4096));
    }

    private static EncryptedObjectAddress Address(string objectId) => new("customer-000042", "recordings", objectId);

    private async ValueTask WriteAsync(string objectId)
    {
        await using var writer = await _objects.OpenWriteAsync(Address(objectId));
        for (var i = 0; i < Size / Chunk; i++)
        {
            await writer.WriteAsync(_plaintext);
        }

        await writer.CompleteAsync();
    }

    private byte[] Nonce(long segment)
    {
        BinaryPrimitives.WriteInt64BigEndian(_nonce.AsSpan(23), segment);
        return _nonce;
    }

    /// <summary>Keeps one object (<see cref="StoredName"/>) in memory; every other write goes to a sink.</summary>
    private sealed class MemoryBlobStore : IBlobStore
    {
        public const string StoredName = "stored";
        private byte[]? _stored;

        public ValueTask<IBlobWriter> CreateAsync(string name, CancellationToken cancellationToken = default)
            => new(new Writer(this, name == StoredName));

        public ValueTask<IBlobReader?> OpenAsync(string name, CancellationToken cancellationToken = default)
            => new(name == StoredName && _stored is not null ? new Reader(_stored) : null);

        public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => new(false);

        private sealed class Writer(MemoryBlobStore store, bool keep) : IBlobWriter
        {
            private readonly MemoryStream? _bytes = keep ? new MemoryStream() : null;

            public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
            {
                _bytes?.Write(data.Span);
                return default;
            }

            public ValueTask<bool> CommitAsync(CancellationToken cancellationToken = default)
            {
                if (_bytes is not null)
                {
                    store._stored = _bytes.ToArray();
                }

                return new(true);
            }

            public ValueTask DisposeAsync() => default;
        }

        private sealed class Reader(byte[] bytes) : IBlobReader
        {
            public long Length => bytes.Length;

            public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var count = (int)Math.Min(buffer.Length, bytes.Length - offset);
                bytes.AsSpan((int)offset, count).CopyTo(buffer.Span);
                return new(count);
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}
