using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Gdpr.Storage.EfCore;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// The key store on a cache miss: reading one subject's key state, and creating then shredding a key, on the EF
/// store over a real SQLite file (WAL, secure_delete, checkpoint after each shred) against the in-memory store
/// (the baseline of each category), measured in the same run.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class KeyStoreBenchmarks
{
    private const int Subjects = 200;
    private const string Scope = "default";
    private readonly InMemorySubjectKeyStore _memory = new();
    private string _directory = null!;
    private ServiceProvider _services = null!;
    private ISubjectKeyStore _sqlite = null!;
    private SubjectPseudonym[] _subjects = [];
    private int _round;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "gdpr-keystore-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "keys.db")}";
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores().UseEfCoreKeyStore(o => o.UseSqlite(connectionString));
        _services = services.BuildServiceProvider();
        using (var db = _services.GetRequiredService<IDbContextFactory<GdprKeyStoreDbContext>>().CreateDbContext())
        {
            await db.Database.EnsureCreatedAsync();
        }

        _sqlite = _services.GetRequiredService<ISubjectKeyStore>();
        _subjects = [.. Enumerable.Range(0, Subjects).Select(i => new SubjectPseudonym($"bench-subject-{i:D6}"))];
        foreach (var subject in _subjects)
        {
            await _memory.AddKeyAsync(NewKey(subject));
            await _sqlite.AddKeyAsync(NewKey(subject));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Subjects, Description = "GetState, in memory")]
    [BenchmarkCategory("GetState")]
    public Task GetStateInMemory() => ReadAllAsync(_memory);

    [Benchmark(OperationsPerInvoke = Subjects, Description = "GetState, EF SQLite file")]
    [BenchmarkCategory("GetState")]
    public Task GetStateSqlite() => ReadAllAsync(_sqlite);

    [Benchmark(Baseline = true, Description = "Add + shred, in memory")]
    [BenchmarkCategory("AddShred")]
    public Task AddShredInMemory() => AddAndShredAsync(_memory);

    [Benchmark(Description = "Add + shred, EF SQLite file (secure delete)")]
    [BenchmarkCategory("AddShred")]
    public Task AddShredSqlite() => AddAndShredAsync(_sqlite);

    private async Task ReadAllAsync(ISubjectKeyStore store)
    {
        foreach (var subject in _subjects)
        {
            await store.GetStateAsync(subject, Scope);
        }
    }

    private async Task AddAndShredAsync(ISubjectKeyStore store)
    {
        var subject = new SubjectPseudonym($"bench-shred-{Interlocked.Increment(ref _round):D8}");
        await store.AddKeyAsync(NewKey(subject));
        await store.ShredAsync(subject, Scope, DateTimeOffset.UnixEpoch);
    }

    private static WrappedSubjectKey NewKey(SubjectPseudonym subject)
        => new(subject, Scope, 1, "kek-bench", RandomNumberGenerator.GetBytes(96), DateTimeOffset.UnixEpoch);
}
