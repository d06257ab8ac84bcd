using System.Globalization;
using BenchmarkDotNet.Attributes;
using Gdpr.DataSources;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// Erasing one subject with 10 rows vs 100,000 rows. The rows are under a DestroyKey scope, so erasure destroys one
/// key and touches no row: the time must not grow with the row count (target: ratio within 1.5x).
/// </summary>
/// <remarks>
/// Runs on an in-memory data source until the EF Core adapter lands (then: SQLite). Each iteration starts from the
/// same fresh state (a new provider with <see cref="SubjectsPerIteration"/> subjects, built in the iteration setup),
/// and every invocation erases the next subject, so each one really destroys a key. The in-memory key store scans
/// all its keys per call, which is why the state is rebuilt rather than grown.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: SubjectsPerIteration)]
public class ErasureBenchmarks
{
    private const int SubjectsPerIteration = 500;

    private ServiceProvider? _services;
    private IErasureService _erasure = null!;
    private int _next;

    [IterationSetup(Target = nameof(Erase_10Rows))]
    public void Setup10() => Setup(10);

    [IterationSetup(Target = nameof(Erase_100000Rows))]
    public void Setup100000() => Setup(100_000);

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<ErasureResult> Erase_10Rows() => await _erasure.EraseAsync(SubjectId(_next++));

    [Benchmark]
    public async Task<ErasureResult> Erase_100000Rows() => await _erasure.EraseAsync(SubjectId(_next++));

    private void Setup(int rowsPerSubject)
    {
        _services?.Dispose();
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32])
            .AddRetentionPolicy(new RetentionPolicy { Name = "marketing", Years = 2 })
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "AWR art. 52" });
        services.AddSingleton<IPersonalDataSource>(new SharedRowsDataSource(rowsPerSubject));
        _services = services.BuildServiceProvider();
        var encryptor = _services.GetRequiredService<IFieldEncryptor>();
        for (var i = 0; i < SubjectsPerIteration; i++)
        {
            var id = SubjectId(i);
            encryptor.EncryptValueAsync(new FieldAddress(id, "marketing", "Customer.Profile"), "likes cycling").AsTask().GetAwaiter().GetResult();
            encryptor.EncryptValueAsync(new FieldAddress(id, "tax", "Invoice.Name"), "J. Jansen").AsTask().GetAwaiter().GetResult();
        }

        _erasure = _services.GetRequiredService<IErasureService>();
        _next = 0;
    }

    private static string SubjectId(int i) => "subject-" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Holds <c>rows</c> rows per subject (one shared array, so every subject has that many without the memory). Like
    /// a database with an index on the subject column, it finds no row needing deletion or replacement in a
    /// DestroyKey scope without visiting the rows.
    /// </summary>
    private sealed class SharedRowsDataSource(int rows) : IPersonalDataSource
    {
        private readonly byte[][] _rows = Enumerable.Range(0, rows).Select(_ => new byte[64]).ToArray();

        public string Name => "rows";

        public int RowCount => _rows.Length;

        public IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(new DataSourceErasureResult(Name, RowsDeleted: 0, ValuesReplaced: 0));
    }
}

/// <summary>The retention sweeper destroying 100,000 expired (subject, scope) keys. Target: at least 10,000 per second.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class ErasureSweepBenchmarks
{
    private ServiceProvider _services = null!;
    private IRetentionSweeper _sweeper = null!;

    [Params(100_000)]
    public int ExpiredScopes { get; set; }

    [IterationSetup]
    public void Setup()
    {
        _services?.Dispose();
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32])
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "AWR art. 52" });
        _services = services.BuildServiceProvider();
        var store = _services.GetRequiredService<ISubjectKeyStore>();
        var schedule = _services.GetRequiredService<IRetentionScheduleStore>();
        var kek = _services.GetRequiredService<IKeyEncryptionKeyProvider>().GetActiveKeyIdAsync().AsTask().GetAwaiter().GetResult();
        var longAgo = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < ExpiredScopes; i++)
        {
            // Keys straight into the store (wrapped bytes are opaque to it): the sweep, not key creation, is measured.
            var subject = new SubjectPseudonym("p" + i.ToString("D8", CultureInfo.InvariantCulture));
            store.AddKeyAsync(new WrappedSubjectKey(subject, "tax", 1, kek, new byte[96], longAgo)).AsTask().GetAwaiter().GetResult();
            schedule.SetAsync(new RetentionScheduleEntry(subject, "tax", longAgo.AddYears(7))).AsTask().GetAwaiter().GetResult();
        }

        _sweeper = _services.GetRequiredService<IRetentionSweeper>();
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark]
    public async Task<RetentionSweepReport> Sweep100kExpiredScopes()
    {
        var report = await _sweeper.SweepAsync();
        if (report.Destroyed != ExpiredScopes)
        {
            throw new InvalidOperationException($"The sweep destroyed {report.Destroyed} of {ExpiredScopes} scopes.");
        }

        return report;
    }
}
