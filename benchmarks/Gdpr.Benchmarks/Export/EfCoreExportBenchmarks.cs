using BenchmarkDotNet.Attributes;
using Gdpr.DataSources;
using Gdpr.Export;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks.Export;

/// <summary>
/// The <see cref="ExportBenchmarks"/> scenario on SQLite through the EF Core adapter: one subject with 100,000 values
/// (25,000 rows x 4 annotated members; and 10,000 values) in a SQLite file, read by the EF data source (query, decrypt) and exported to
/// a discarding stream. The baseline enumerates the EF data source only, so the ratios are the exporter's own cost on
/// top of reading the database. Values per second = 100,000 / Mean; bytes allocated per value = Allocated / 100,000.
/// </summary>
/// <remarks>Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*EfCoreExportBenchmarks*'</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class EfCoreExportBenchmarks
{
    private const string Subject = "cust-1";

    /// <summary>Gets or sets the subject's rows (4 values each): 10,000 and 100,000 values show allocation per value.</summary>
    [Params(2_500, 25_000)]
    public int Rows { get; set; }

    private SqliteApplication _application = null!;
    private IPersonalDataSource _source = null!;
    private IPersonalDataExporter _exporter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _application = new SqliteApplication();
        _application.InsertLines(Subject, Rows);
        _application.InsertLines("cust-neighbour", 100); // another subject in the same table
        _source = _application.Services.GetRequiredService<IPersonalDataSource>();
        _exporter = _application.Services.GetRequiredService<IPersonalDataExporter>();
        var summary = _exporter.ExportAsync(Subject, Stream.Null, ExportFormat.Json).GetAwaiter().GetResult();
        if (summary.ValueCount != Rows * 4)
        {
            throw new InvalidOperationException($"The export holds {summary.ValueCount} values, not {Rows * 4}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _application.Dispose();

    [Benchmark(Baseline = true, Description = "Enumerate EF source only")]
    public async Task<int> EnumerateOnly()
    {
        var n = 0;
        await foreach (var item in _source.ExportAsync(Subject))
        {
            n += item.Member.Length;
        }

        return n;
    }

    [Benchmark(Description = "Export JSON")]
    public Task<ExportSummary> Json() => _exporter.ExportAsync(Subject, Stream.Null, ExportFormat.Json);

    [Benchmark(Description = "Export CSV")]
    public Task<ExportSummary> Csv() => _exporter.ExportAsync(Subject, Stream.Null, ExportFormat.Csv);
}
