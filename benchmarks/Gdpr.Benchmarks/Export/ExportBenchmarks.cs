using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Gdpr.DataSources;
using Gdpr.Export;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks.Export;

/// <summary>
/// One subject with 10,000 and 100,000 values, exported to a discarding stream. The baseline only enumerates the source, so the
/// ratios are the exporter's own cost. The source is in memory until the EF Core adapter lands (then: SQLite).
/// Values per second = ValueCount / Mean; bytes allocated per value = Allocated / ValueCount.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ExportBenchmarks
{
    /// <summary>Gets or sets the number of values; two sizes show that allocation does not grow with the export.</summary>
    [Params(10_000, 100_000)]
    public int ValueCount { get; set; }

    private ServiceProvider _provider = null!;
    private IPersonalDataExporter _exporter = null!;
    private ListSource _source = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = new ListSource(ValueCount);
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores().ConfigureExport(o =>
        {
            o.Controller.Name = "Example Contact Center B.V.";
            o.Controller.Contact = "privacy@example.org";
        });
        services.AddSingleton<IPersonalDataSource>(_source);
        _provider = services.BuildServiceProvider();
        _exporter = _provider.GetRequiredService<IPersonalDataExporter>();
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    [Benchmark(Baseline = true, Description = "Enumerate source only")]
    public async Task<int> EnumerateOnly()
    {
        var n = 0;
        await foreach (var item in _source.ExportAsync("cust-1"))
        {
            n += item.Member.Length;
        }

        return n;
    }

    [Benchmark(Description = "Export JSON")]
    public Task<ExportSummary> Json() => _exporter.ExportAsync("cust-1", Stream.Null, ExportFormat.Json);

    [Benchmark(Description = "Export CSV")]
    public Task<ExportSummary> Csv() => _exporter.ExportAsync("cust-1", Stream.Null, ExportFormat.Csv);

    [Benchmark(Description = "Export ZIP")]
    public Task<ExportSummary> Zip() => _exporter.ExportAsync("cust-1", Stream.Null, ExportFormat.Zip);

    /// <summary>Values made once, as a source that has already decrypted them would yield them.</summary>
    private sealed class ListSource : IPersonalDataSource
    {
        private readonly PersonalDataItem[] _items;

        public ListSource(int count)
        {
            var collected = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
            string[] purposes = ["support"];
            _items = new PersonalDataItem[count];
            for (var i = 0; i < count; i++)
            {
                var (member, category, value) = (i % 5) switch
                {
                    0 => ("Body", "communication.chat-transcript", (object)"Hello, I would like to change my delivery address please."),
                    1 => ("Email", "contact.email", "customer@example.org"),
                    2 => ("Amount", "financial.transaction", 1234.56m + i),
                    3 => ("SentAt", "communication.chat-transcript", collected.AddMinutes(i)),
                    _ => ("Newsletter", "profile.preferences", (i & 1) == 0),
                };
                _items[i] = new PersonalDataItem
                {
                    Source = Name,
                    SubjectId = "cust-1",
                    Entity = "Message",
                    RecordKey = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Member = member,
                    Category = category,
                    Purposes = purposes,
                    RetentionPolicy = "default",
                    Value = value,
                    CollectedAt = collected,
                };
            }
        }

        public string Name => "memory";

        public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < _items.Length; i++)
            {
                if (i % 1000 == 0)
                {
                    // A database source completes a batch asynchronously now and then.
                    await Task.Yield();
                }

                yield return _items[i];
            }
        }

        public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new DataSourceErasureResult(Name, RowsFound: 0, ScopesFound: new HashSet<string>(), RowsDeleted: 0, ValuesReplaced: 0)); // export only
    }
}
