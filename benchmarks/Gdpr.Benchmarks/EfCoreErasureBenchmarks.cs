using BenchmarkDotNet.Attributes;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// The <see cref="ErasureBenchmarks"/> scenario through the real EF Core adapter on one SQLite file: the EF data
/// source (<c>AddEfCoreDataSource</c>), the EF key store in the same context, the EF audit trail, schedule and holds.
/// One subject with 10 rows, one with 100,000, every annotated member in the "marketing" scope (DestroyKey, rows
/// kept). Target: the ratio within 1.5x, since erasure destroys one key and has no row to delete or rewrite.
/// </summary>
/// <remarks>
/// Each iteration re-creates the subject's keys (iteration setup, a write in "marketing" and one in "tax"), so every
/// measured erasure really destroys a key and retains the tax scope.
/// Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*EfCoreErasureBenchmarks*'
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class EfCoreErasureBenchmarks
{
    private const string Small = "subject-10-rows";
    private const string Large = "subject-100000-rows";

    private SqliteApplication _application = null!;
    private IErasureService _erasure = null!;

    [GlobalSetup]
    public void Setup()
    {
        _application = new SqliteApplication();
        _application.InsertLines(Small, 10);
        _application.InsertLines(Large, 100_000);
        _erasure = _application.Services.GetRequiredService<IErasureService>();
    }

    [GlobalCleanup]
    public void Cleanup() => _application.Dispose();

    [IterationSetup(Target = nameof(Erase_10Rows))]
    public void RecreateSmall() => RecreateKeys(Small);

    [IterationSetup(Target = nameof(Erase_100000Rows))]
    public void RecreateLarge() => RecreateKeys(Large);

    [Benchmark(Baseline = true)]
    public Task<ErasureResult> Erase_10Rows() => EraseAsync(Small);

    [Benchmark]
    public Task<ErasureResult> Erase_100000Rows() => EraseAsync(Large);

    private async Task<ErasureResult> EraseAsync(string subjectId)
    {
        var result = await _erasure.EraseAsync(subjectId);
        if (!result.IsComplete || result.Scopes.Count(s => s.Status == ScopeErasureStatus.Destroyed) != 1 || result.Sources[0].RowsDeleted != 0)
        {
            throw new InvalidOperationException("The erasure did not destroy exactly one scope, or deleted rows.");
        }

        return result;
    }

    private void RecreateKeys(string subjectId)
    {
        // A new write after an erasure creates the next key version: the erasure then has a live key to destroy.
        var encryptor = _application.Services.GetRequiredService<IFieldEncryptor>();
        encryptor.EncryptValueAsync(new FieldAddress(subjectId, "marketing", "ChatLine.Body"), "likes cycling").AsTask().GetAwaiter().GetResult();
        encryptor.EncryptValueAsync(new FieldAddress(subjectId, "tax", "Invoice.Name"), "J. Jansen").AsTask().GetAwaiter().GetResult();
    }
}
