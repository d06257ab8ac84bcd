using Gdpr.DataSources;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IPersonalDataSource"/> contract as xunit tests: what the SDK's exporter and erasure service rely on.
/// Derive from it, return your source from <see cref="CreateSource"/>, write a subject's values in
/// <see cref="SeedAsync"/> and destroy a subject's scope key in <see cref="DestroyKeyAsync"/> (through the
/// application's <c>ISubjectKeyManager</c>, as the erasure does before it calls the source). The SDK's own sources
/// (the EF Core source on SQLite and PostgreSQL, <see cref="InMemoryPersonalDataSource"/>) run the same class.
/// </summary>
/// <remarks>
/// <para>The rules: an export finds every value of the subject, decrypted, and nothing of other subjects; an unknown
/// subject gives nothing; after the keys of the scopes are destroyed and the source has erased them, none of the
/// values is readable, other scopes and other subjects are untouched, and a repeated erasure is harmless; the
/// erasure reports what it found; both calls honour their cancellation token.</para>
/// <para>xunit creates one instance per test and each test asks for the source once. Every test uses fresh random
/// subject ids, so a shared database is fine. Write values that differ per subject (include the id) so that the
/// tests can tell two subjects' values apart. To skip when the source's database is not there, call <c>Skip.If</c>
/// from <see cref="CreateSource"/>.</para>
/// </remarks>
public abstract class PersonalDataSourceContractTests
{
    private readonly Lock _createLock = new();
    private IPersonalDataSource? _source;

    /// <summary>Gets the source under test, created once per test by <see cref="CreateSource"/>.</summary>
    protected IPersonalDataSource Source
    {
        get
        {
            lock (_createLock)
            {
                return _source ??= CreateSource();
            }
        }
    }

    /// <summary>Creates (or returns) the source under test.</summary>
    /// <returns>The source.</returns>
    protected abstract IPersonalDataSource CreateSource();

    /// <summary>Writes personal values of a new subject through the application (so they are encrypted as in production).</summary>
    /// <param name="subjectId">The subject, a fresh random id.</param>
    /// <returns>What was written: at least one value; values in two scopes or more also run the retained-scope test.</returns>
    protected abstract Task<IReadOnlyList<SeededPersonalValue>> SeedAsync(string subjectId);

    /// <summary>Destroys the subject's key of one scope, as the erasure does before it calls the source.</summary>
    /// <param name="subjectId">The subject.</param>
    /// <param name="scope">The scope.</param>
    /// <returns>A task that completes when the key is destroyed.</returns>
    protected abstract Task DestroyKeyAsync(string subjectId, string scope);

    /// <summary>The name is what exports, results and audit entries show: present and stable.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Name_IsPresentAndStable()
    {
        Assert.False(string.IsNullOrWhiteSpace(Source.Name));
        Assert.Equal(Source.Name, Source.Name);
        await Task.CompletedTask;
    }

    /// <summary>Art. 15: the export finds every value of the subject, decrypted, named by this source.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Export_SeededSubject_FindsEveryValueDecrypted_Art15()
    {
        var subject = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);

        var items = await TestData.ToListAsync(Source.ExportAsync(subject));

        Assert.All(items, i => Assert.Equal(Source.Name, i.Source));
        foreach (var value in seeded)
        {
            Assert.Contains(items, i => Matches(i, value) && !i.IsErased && SameValue(i.Value, value.Value));
        }
    }

    /// <summary>A subject the source never saw gives an empty export, not an error.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Export_UnknownSubject_ReturnsNothing()
    {
        Assert.Empty(await TestData.ToListAsync(Source.ExportAsync(TestData.NewSubjectId())));
    }

    /// <summary>Art. 15(4): the export of one subject holds nothing of another.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Export_HoldsNothingOfOtherSubjects_Art15_4()
    {
        var subject = TestData.NewSubjectId();
        var other = TestData.NewSubjectId();
        var own = await SeedNonEmptyAsync(subject);
        var others = await SeedNonEmptyAsync(other);

        var items = await TestData.ToListAsync(Source.ExportAsync(subject));

        Assert.All(items, i => Assert.True(i.SubjectId is null || i.SubjectId == subject, "an item names another subject"));
        foreach (var value in others.Where(o => !own.Any(v => SameValue(v.Value, o.Value))))
        {
            Assert.DoesNotContain(items, i => SameValue(i.Value, value.Value));
        }
    }

    /// <summary>Art. 17: once the scopes' keys are destroyed and the source erased them, none of the values is readable.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_AllScopesDestroyed_NothingReadableAfterwards_Art17()
    {
        var subject = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);
        var scopes = await DestroyAllAsync(subject, seeded);

        var result = await Source.EraseAsync(subject, new DataSourceErasureRequest(scopes, new HashSet<string>(StringComparer.Ordinal)));

        Assert.Equal(Source.Name, result.Source);
        Assert.True(result.RowsFound >= 1, "the erasure found none of the subject's rows");
        Assert.Superset(scopes.ToHashSet(StringComparer.Ordinal), result.ScopesFound.ToHashSet(StringComparer.Ordinal));
        await AssertNothingReadableAsync(subject, seeded);
    }

    /// <summary>The erasure may be retried (after a crash, or by the sweeper): a second call is harmless.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_Repeated_IsIdempotent()
    {
        var subject = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);
        var scopes = await DestroyAllAsync(subject, seeded);
        var request = new DataSourceErasureRequest(scopes, new HashSet<string>(StringComparer.Ordinal));
        await Source.EraseAsync(subject, request);

        var again = await Source.EraseAsync(subject, request);

        Assert.Equal(Source.Name, again.Source);
        Assert.Equal(0, again.RowsDeleted);
        await AssertNothingReadableAsync(subject, seeded);
    }

    /// <summary>Art. 5(2): erasing a subject the source never saw reports that nothing was found and does nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_UnknownSubject_FindsNothing_Art5_2()
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal) { "default" };

        var result = await Source.EraseAsync(TestData.NewSubjectId(), new DataSourceErasureRequest(scopes, new HashSet<string>(StringComparer.Ordinal)));

        Assert.Equal(Source.Name, result.Source);
        Assert.Equal(0, result.RowsFound);
        Assert.Empty(result.ScopesFound);
        Assert.Equal(0, result.RowsDeleted);
        Assert.Equal(0, result.ValuesReplaced);
    }

    /// <summary>Art. 17(3)(b): a scope kept (a legal obligation) stays readable while another scope is erased.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_OneScope_KeepsTheRetainedScopesReadable_Art17_3_b()
    {
        var subject = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);
        var scopes = seeded.Select(v => v.Scope).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Skip.If(scopes.Count < 2, "SeedAsync writes values of one scope only: seed two scopes to run this test");
        var destroyed = scopes[0];
        await DestroyKeyAsync(subject, destroyed);

        await Source.EraseAsync(subject, new DataSourceErasureRequest(new HashSet<string>(StringComparer.Ordinal) { destroyed }, scopes.Skip(1).ToHashSet(StringComparer.Ordinal)));

        var items = await TestData.ToListAsync(Source.ExportAsync(subject));
        foreach (var value in seeded)
        {
            if (value.Scope == destroyed)
            {
                Assert.DoesNotContain(items, i => !i.IsErased && SameValue(i.Value, value.Value));
            }
            else
            {
                Assert.Contains(items, i => Matches(i, value) && !i.IsErased && SameValue(i.Value, value.Value));
            }
        }
    }

    /// <summary>Erasing one subject leaves every value of another readable.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_LeavesOtherSubjectsReadable()
    {
        var subject = TestData.NewSubjectId();
        var other = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);
        var others = await SeedNonEmptyAsync(other);
        var scopes = await DestroyAllAsync(subject, seeded);

        await Source.EraseAsync(subject, new DataSourceErasureRequest(scopes, new HashSet<string>(StringComparer.Ordinal)));

        var items = await TestData.ToListAsync(Source.ExportAsync(other));
        foreach (var value in others)
        {
            Assert.Contains(items, i => Matches(i, value) && !i.IsErased && SameValue(i.Value, value.Value));
        }
    }

    /// <summary>A cancelled export stops with <see cref="OperationCanceledException"/> (a request timed out).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Export_Cancelled_Throws()
    {
        var subject = TestData.NewSubjectId();
        await SeedNonEmptyAsync(subject);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await TestData.ToListAsync(Source.ExportAsync(subject, cancelled.Token)));
    }

    /// <summary>A cancelled erasure stops with <see cref="OperationCanceledException"/>; the erasure is retried later.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Erase_Cancelled_Throws()
    {
        var subject = TestData.NewSubjectId();
        var seeded = await SeedNonEmptyAsync(subject);
        var scopes = await DestroyAllAsync(subject, seeded);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Source.EraseAsync(subject, new DataSourceErasureRequest(scopes, new HashSet<string>(StringComparer.Ordinal)), cancelled.Token));
    }

    private static bool Matches(PersonalDataItem item, SeededPersonalValue value)
        => item.Entity == value.Entity && item.Member == value.Member && item.RetentionPolicy == value.Scope;

    private static bool SameValue(object? actual, object expected)
        => actual is byte[] bytes && expected is byte[] expectedBytes ? bytes.AsSpan().SequenceEqual(expectedBytes) : Equals(actual, expected);

    private async Task<IReadOnlyList<SeededPersonalValue>> SeedNonEmptyAsync(string subjectId)
    {
        var seeded = await SeedAsync(subjectId);
        Assert.NotEmpty(seeded);
        return seeded;
    }

    private async Task<HashSet<string>> DestroyAllAsync(string subjectId, IReadOnlyList<SeededPersonalValue> seeded)
    {
        var scopes = seeded.Select(v => v.Scope).ToHashSet(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            await DestroyKeyAsync(subjectId, scope);
        }

        return scopes;
    }

    private async Task AssertNothingReadableAsync(string subjectId, IReadOnlyList<SeededPersonalValue> seeded)
    {
        var items = await TestData.ToListAsync(Source.ExportAsync(subjectId));
        foreach (var value in seeded)
        {
            Assert.DoesNotContain(items, i => !i.IsErased && SameValue(i.Value, value.Value));
        }
    }
}
