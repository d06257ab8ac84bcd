using System.Globalization;
using BenchmarkDotNet.Attributes;
using Gdpr.Storage.EfCore;
using Gdpr.DataSources;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Retention;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// Erasing one subject with 10 rows vs with 100,000 rows in a SQLite file. The rows are under a DestroyKey scope, so
/// erasure destroys one key and deletes or rewrites no row: the time must not grow with the row count (target: the
/// ratio within 1.5x).
/// </summary>
/// <remarks>
/// Category "sqlite": rows, audit trail and retention schedule in one SQLite file (WAL, synchronous=NORMAL); the key store is the
/// in-memory one until the EF key store lands, and the data source is a minimal SQLite one standing in for the EF
/// adapter's. Category "in-memory": everything in memory, free of disk noise. Each iteration re-creates the subject's
/// keys (iteration setup), so every measured erasure really destroys a key.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 10, iterationCount: 50, invocationCount: 1)]
public class ErasureBenchmarks
{
    private const string Small = "subject-10-rows";
    private const string Large = "subject-100000-rows";

    private BenchmarkDatabase _database = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _inMemory = null!;

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchmarkDatabase();
        _services = _database.CreateServices(services => services.AddSingleton<IPersonalDataSource, SqliteRowsDataSource>());
        _database.InsertRows(Small, "marketing", 10);
        _database.InsertRows(Large, "marketing", 100_000);

        var inMemory = new ServiceCollection();
        BenchmarkDatabase.AddGdpr(inMemory);
        inMemory.AddSingleton<IPersonalDataSource>(new InMemoryRowsDataSource(new Dictionary<string, int> { [Small] = 10, [Large] = 100_000 }));
        _inMemory = inMemory.BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _inMemory.Dispose();
        _database.Dispose();
    }

    [IterationSetup(Targets = [nameof(Erase_10Rows), nameof(Erase_10Rows_InMemory)])]
    public void RecreateSmall() => RecreateKeys(Small);

    [IterationSetup(Targets = [nameof(Erase_100000Rows), nameof(Erase_100000Rows_InMemory)])]
    public void RecreateLarge() => RecreateKeys(Large);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sqlite")]
    public async Task<ErasureResult> Erase_10Rows() => await _services.GetRequiredService<IErasureService>().EraseAsync(Small);

    [Benchmark]
    [BenchmarkCategory("sqlite")]
    public async Task<ErasureResult> Erase_100000Rows() => await _services.GetRequiredService<IErasureService>().EraseAsync(Large);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("in-memory")]
    public async Task<ErasureResult> Erase_10Rows_InMemory() => await _inMemory.GetRequiredService<IErasureService>().EraseAsync(Small);

    [Benchmark]
    [BenchmarkCategory("in-memory")]
    public async Task<ErasureResult> Erase_100000Rows_InMemory() => await _inMemory.GetRequiredService<IErasureService>().EraseAsync(Large);

    private void RecreateKeys(string subjectId)
    {
        // A new write after an erasure creates the next key version: the erasure then has a live key to destroy.
        foreach (var services in new[] { _services, _inMemory })
        {
            var encryptor = services.GetRequiredService<IFieldEncryptor>();
            encryptor.EncryptValueAsync(new FieldAddress(subjectId, "marketing", "Customer.Profile"), "likes cycling").AsTask().GetAwaiter().GetResult();
            encryptor.EncryptValueAsync(new FieldAddress(subjectId, "tax", "Invoice.Name"), "J. Jansen").AsTask().GetAwaiter().GetResult();
        }
    }
}

/// <summary>
/// The retention sweeper destroying 100,000 expired (subject, scope) keys, with the schedule and the audit trail in
/// memory and in a SQLite file. Target: at least 10,000 per second.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class ErasureSweepBenchmarks
{
    private const int ExpiredScopes = 100_000;

    private BenchmarkDatabase? _database;
    private ServiceProvider? _services;
    private IRetentionSweeper _sweeper = null!;

    [IterationSetup(Target = nameof(Sweep100k_InMemory))]
    public void SetupInMemory() => Setup(sqlite: false);

    [IterationSetup(Target = nameof(Sweep100k_Sqlite))]
    public void SetupSqlite() => Setup(sqlite: true);

    [IterationCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _database?.Dispose();
        _services = null;
        _database = null;
    }

    [Benchmark(Baseline = true)]
    public Task<RetentionSweepReport> Sweep100k_InMemory() => SweepAsync();

    [Benchmark]
    public Task<RetentionSweepReport> Sweep100k_Sqlite() => SweepAsync();

    private async Task<RetentionSweepReport> SweepAsync()
    {
        var report = await _sweeper.SweepAsync();
        if (report.Destroyed != ExpiredScopes)
        {
            throw new InvalidOperationException($"The sweep destroyed {report.Destroyed} of {ExpiredScopes} scopes.");
        }

        return report;
    }

    private void Setup(bool sqlite)
    {
        if (sqlite)
        {
            _database = new BenchmarkDatabase();
            _services = _database.CreateServices();
        }
        else
        {
            var services = new ServiceCollection();
            BenchmarkDatabase.AddGdpr(services);
            _services = services.BuildServiceProvider();
        }

        var store = _services.GetRequiredService<ISubjectKeyStore>();
        var kek = _services.GetRequiredService<IKeyEncryptionKeyProvider>().GetActiveKeyIdAsync().AsTask().GetAwaiter().GetResult();
        var longAgo = DateTimeOffset.UnixEpoch;
        var entries = new List<RetentionScheduleEntry>(ExpiredScopes);
        for (var i = 0; i < ExpiredScopes; i++)
        {
            // Keys straight into the store (wrapped bytes are opaque to it): the sweep, not key creation, is measured.
            var subject = new SubjectPseudonym("p" + i.ToString("D8", CultureInfo.InvariantCulture));
            store.AddKeyAsync(new WrappedSubjectKey(subject, "tax", 1, kek, new byte[96], longAgo)).AsTask().GetAwaiter().GetResult();
            entries.Add(new RetentionScheduleEntry(subject, "tax", longAgo.AddYears(7)));
        }

        if (_database is null)
        {
            var schedule = _services.GetRequiredService<IRetentionScheduleStore>();
            foreach (var entry in entries)
            {
                schedule.SetAsync(entry).AsTask().GetAwaiter().GetResult();
            }
        }
        else
        {
            _database.InsertSchedule(entries);
        }

        _sweeper = _services.GetRequiredService<IRetentionSweeper>();
    }
}

/// <summary>A SQLite file in a temp folder with the benchmark's rows, the audit trail and the retention schedule.</summary>
internal sealed class BenchmarkDatabase : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gdpr-bench-");

    public string ConnectionString => $"Data Source={Path.Combine(_directory.FullName, "bench.db")}";

    public static IGdprBuilder AddGdpr(IServiceCollection services)
        => services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores()
            .AddRetentionPolicy(new RetentionPolicy { Name = "marketing", Years = 2 })
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "AWR art. 52" });

    public ServiceProvider CreateServices(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<BenchmarkDbContext>((sp, o) => o.UseSqlite(ConnectionString).AddInterceptors(SynchronousNormal.Instance).UseGdpr(sp));
        AddGdpr(services).UseEfCoreAuditTrail<BenchmarkDbContext>().UseEfCoreRetentionSchedule<BenchmarkDbContext>();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        using var db = provider.GetRequiredService<IDbContextFactory<BenchmarkDbContext>>().CreateDbContext();
        db.Database.EnsureCreated();

        // WAL with synchronous=NORMAL, as SQLite is usually run in production: commits do not wait for the disk, whose
        // latency (shared with other work on the benchmark machine) would otherwise drown what is measured.
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        return provider;
    }

    public void InsertRows(string subjectId, string scope, int count)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO customer_rows (subject_id, scope, envelope) VALUES ($s, $scope, $e)";
        command.Parameters.AddWithValue("$s", subjectId);
        command.Parameters.AddWithValue("$scope", scope);
        command.Parameters.AddWithValue("$e", new byte[80]);
        for (var i = 0; i < count; i++)
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void InsertSchedule(IEnumerable<RetentionScheduleEntry> entries)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {RetentionModelBuilderExtensions.ScheduleTableName} (subject, scope, destroy_after_utc_ticks) VALUES ($s, $scope, $t)";
        var subject = command.Parameters.Add("$s", SqliteType.Text);
        var scope = command.Parameters.Add("$scope", SqliteType.Text);
        var ticks = command.Parameters.Add("$t", SqliteType.Integer);
        foreach (var entry in entries)
        {
            subject.Value = entry.Subject.Value;
            scope.Value = entry.Scope;
            ticks.Value = entry.DestroyAfter.UtcTicks;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }
}

/// <summary>Sets <c>PRAGMA synchronous=NORMAL</c> on every connection (a per-connection setting in SQLite).</summary>
internal sealed class SynchronousNormal : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SynchronousNormal Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The benchmark's DbContext: a table of encrypted rows plus the SDK's audit and retention tables.</summary>
internal sealed class BenchmarkDbContext(DbContextOptions<BenchmarkDbContext> options) : DbContext(options)
{
    public DbSet<CustomerRow> Rows => Set<CustomerRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CustomerRow>(e =>
        {
            e.ToTable("customer_rows");
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.SubjectId).HasColumnName("subject_id");
            e.Property(r => r.Scope).HasColumnName("scope");
            e.Property(r => r.Envelope).HasColumnName("envelope");
            e.HasIndex(r => new { r.SubjectId, r.Scope });
        });
        modelBuilder.AddGdprAuditTrail().AddGdprRetentionSchedule();
    }
}

internal sealed class CustomerRow
{
    public long Id { get; set; }

    public string SubjectId { get; set; } = string.Empty;

    public string Scope { get; set; } = string.Empty;

    public byte[] Envelope { get; set; } = [];
}

/// <summary>
/// Rows per subject in memory (one shared array per subject); like an indexed database it finds no row to delete
/// or rewrite in a DestroyKey scope without visiting the rows.
/// </summary>
internal sealed class InMemoryRowsDataSource(IReadOnlyDictionary<string, int> rowsPerSubject) : IPersonalDataSource
{
    private readonly Dictionary<string, byte[][]> _rows = rowsPerSubject.ToDictionary(p => p.Key, p => Enumerable.Range(0, p.Value).Select(_ => new byte[80]).ToArray());

    public string Name => "memory-rows";

    public int RowCount(string subjectId) => _rows[subjectId].Length;

    public IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(new DataSourceErasureResult(Name, RowCount(subjectId), ScopesFound: new HashSet<string>(), RowsDeleted: 0, ValuesReplaced: 0)); // placeholder rows: no SDK values
}

/// <summary>
/// A minimal SQLite data source standing in for the EF adapter's: on erasure it deletes the rows of destroyed scopes
/// whose policy says delete (none here: the rows are DestroyKey), with one indexed statement.
/// </summary>
internal sealed class SqliteRowsDataSource(IDbContextFactory<BenchmarkDbContext> contexts) : IPersonalDataSource
{
    private static readonly string[] DeleteScopes = [];

    public string Name => "sqlite-rows";

    public IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public async ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Rows.Where(r => r.SubjectId == subjectId).GroupBy(r => r.Scope).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var scopes = DeleteScopes.Where(request.DestroyedScopes.Contains).ToArray();
        var deleted = await db.Rows.Where(r => r.SubjectId == subjectId && scopes.Contains(r.Scope)).ExecuteDeleteAsync(cancellationToken);
        return new DataSourceErasureResult(Name, found.Sum(f => f.Count), found.Select(f => f.Key).ToHashSet(StringComparer.Ordinal), deleted, ValuesReplaced: 0);
    }
}
