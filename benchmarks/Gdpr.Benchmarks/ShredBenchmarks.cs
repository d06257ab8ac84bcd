using Gdpr.Encryption.Infrastructure;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// Crypto-shredding one subject's scope whose key is cached: pseudonym, key-store delete and tombstone (in-memory
/// store), cache eviction and key wipe. Each iteration first caches keys for <see cref="Subjects"/> subjects, then
/// shreds them all; the time is reported per shred.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 1)]
public class ShredBenchmarks
{
    private const int Subjects = 1_000;
    private ServiceProvider _services = null!;
    private ISpanFieldEncryptor _encryptor = null!;
    private ISubjectKeyManager _keys = null!;
    private string[] _subjectIds = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o =>
        {
            o.PseudonymKey = RandomNumberGenerator.GetBytes(32);
            o.KeyCache.MaxEntries = Subjects * 2;
        }).UseInMemoryStores();
        _services = services.BuildServiceProvider();
        _encryptor = _services.GetRequiredService<ISpanFieldEncryptor>();
        _keys = _services.GetRequiredService<ISubjectKeyManager>();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [IterationSetup]
    public void CacheKeys()
    {
        _round++;
        _subjectIds = Enumerable.Range(0, Subjects).Select(i => $"subject-{_round}-{i}").ToArray();
        foreach (var id in _subjectIds)
        {
            _encryptor.PrepareAsync(id, "default", forWriting: true).AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(OperationsPerInvoke = Subjects, Description = "Shred a cached subject's scope")]
    public async Task Shred()
    {
        foreach (var id in _subjectIds)
        {
            await _keys.ShredAsync(id, "default");
        }
    }
}
