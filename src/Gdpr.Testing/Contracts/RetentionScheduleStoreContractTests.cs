using Gdpr.Keys;
using Gdpr.Retention;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IRetentionScheduleStore"/> contract as xunit tests. The schedule says when each subject's scope
/// must go (GDPR Art. 5(1)(e), storage limitation) and keeps a scope under a legal obligation until its time
/// (Art. 17(3)(b)): a store that returns an entry early destroys data the law requires, one that skips an entry keeps
/// data too long. Derive from it and return your store from <see cref="CreateStore"/>; the tests use subjects of
/// their own and look only at those, so a shared store is fine.
/// </summary>
public abstract class RetentionScheduleStoreContractTests
{
    /// <summary>The moment the tests schedule around.</summary>
    protected static readonly DateTimeOffset Day0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly Lock _createLock = new();
    private IRetentionScheduleStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected IRetentionScheduleStore Store
    {
        get
        {
            // Once per test even when the test's own tasks ask at the same moment.
            lock (_createLock)
            {
                return _store ??= CreateStore();
            }
        }
    }

    /// <summary>Creates (or returns) the store under test; call <c>Skip.If</c> here to skip with a reason.</summary>
    /// <returns>The store.</returns>
    protected abstract IRetentionScheduleStore CreateStore();

    /// <summary>Nothing is scheduled for an unknown subject, and no relationship end is recorded.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Get_UnknownSubject_IsNull()
    {
        var subject = TestData.NewPseudonym();

        Assert.Null(await Store.GetAsync(subject, "tax"));
        Assert.Null(await Store.GetRelationshipEndAsync(subject));
    }

    /// <summary>Set is an upsert: the second entry of a (subject, scope) replaces the first; other scopes stay.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Set_IsAnUpsertPerSubjectAndScope()
    {
        var subject = TestData.NewPseudonym();
        await Store.SetAsync(new RetentionScheduleEntry(subject, "tax", Day0));
        await Store.SetAsync(new RetentionScheduleEntry(subject, "marketing", Day0.AddYears(2)));
        await Store.SetAsync(new RetentionScheduleEntry(subject, "tax", Day0.AddYears(7)));

        Assert.Equal(new RetentionScheduleEntry(subject, "tax", Day0.AddYears(7)), await Store.GetAsync(subject, "tax"));
        Assert.Equal(new RetentionScheduleEntry(subject, "marketing", Day0.AddYears(2)), await Store.GetAsync(subject, "marketing"));
    }

    /// <summary>The relationship end is recorded and replaced (upsert), per subject.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task SetRelationshipEnd_IsAnUpsertPerSubject()
    {
        var subject = TestData.NewPseudonym();
        var other = TestData.NewPseudonym();
        await Store.SetRelationshipEndAsync(subject, Day0);
        await Store.SetRelationshipEndAsync(subject, Day0.AddDays(1));
        await Store.SetRelationshipEndAsync(other, Day0.AddDays(5));

        Assert.Equal(Day0.AddDays(1), await Store.GetRelationshipEndAsync(subject));
        Assert.Equal(Day0.AddDays(5), await Store.GetRelationshipEndAsync(other));
    }

    /// <summary>Remove deletes the named entries only and ignores missing ones.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Remove_NamedEntriesOnly_IgnoresMissing()
    {
        var subject = TestData.NewPseudonym();
        await Store.SetAsync(new RetentionScheduleEntry(subject, "tax", Day0));
        await Store.SetAsync(new RetentionScheduleEntry(subject, "marketing", Day0));

        await Store.RemoveAsync([new RetentionScheduleKey(subject, "marketing"), new RetentionScheduleKey(subject, "never-set"), new RetentionScheduleKey(TestData.NewPseudonym(), "tax")]);
        await Store.RemoveAsync([]);

        Assert.Null(await Store.GetAsync(subject, "marketing"));
        Assert.NotNull(await Store.GetAsync(subject, "tax"));
    }

    /// <summary>
    /// An entry is due at its destroy-after moment and not one second before (GDPR Art. 17(3)(b): a scope kept for a
    /// legal obligation is never destroyed early; Art. 5(1)(e): it is destroyed once due).
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetDue_IncludesTheDestroyAfterMomentAndNothingLater_Art17_3_b()
    {
        var subject = TestData.NewPseudonym();
        var dueBy = Day0.AddYears(7);
        await Store.SetAsync(new RetentionScheduleEntry(subject, "tax", dueBy));
        await Store.SetAsync(new RetentionScheduleEntry(subject, "marketing", dueBy.AddYears(-5)));
        await Store.SetAsync(new RetentionScheduleEntry(subject, "support", dueBy.AddSeconds(1)));

        Assert.Equal(["marketing", "tax"], (await DueOfAsync([subject], dueBy, 100)).Select(e => e.Scope).Order(StringComparer.Ordinal));
        Assert.Equal(["marketing"], (await DueOfAsync([subject], dueBy.AddSeconds(-1), 100)).Select(e => e.Scope));
    }

    /// <summary>Paging through many due entries with the cursor sees each exactly once, and none that is not due.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetDue_PagesThroughManyEntries_WithoutRepeatsOrGaps_Art5_1_e()
    {
        var subjects = Enumerable.Range(0, 120).Select(_ => TestData.NewPseudonym()).ToList();
        foreach (var subject in subjects)
        {
            await Store.SetAsync(new RetentionScheduleEntry(subject, "tax", Day0));
            await Store.SetAsync(new RetentionScheduleEntry(subject, "zz-later", Day0.AddDays(1)));
        }

        var seen = await DueOfAsync(subjects, Day0, 25);

        Assert.Equal(subjects.Count, seen.Count);
        Assert.Equal(subjects.Count, seen.Select(e => e.Key).Distinct().Count());
        Assert.All(seen, e => Assert.Equal("tax", e.Scope));
        Assert.All(seen, e => Assert.Equal(Day0, e.DestroyAfter));
    }

    /// <summary>A page never holds more than the page size.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetDue_PageSize_IsRespected()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.SetAsync(new RetentionScheduleEntry(TestData.NewPseudonym(), "tax", Day0));
        }

        Assert.Equal(3, (await Store.GetDueAsync(Day0, null, 3)).Count);
    }

    /// <summary>
    /// Pages through every entry due by <paramref name="dueBy"/> with the store's cursor and returns those of
    /// <paramref name="subjects"/> (a shared store may hold other tests' entries). Asserts that each page is at most
    /// <paramref name="pageSize"/> long and that no entry comes twice.
    /// </summary>
    /// <param name="subjects">The subjects to keep.</param>
    /// <param name="dueBy">The moment entries must be due by.</param>
    /// <param name="pageSize">The page size.</param>
    /// <returns>The due entries of those subjects, in the store's order.</returns>
    protected async Task<List<RetentionScheduleEntry>> DueOfAsync(IReadOnlyCollection<SubjectPseudonym> subjects, DateTimeOffset dueBy, int pageSize)
    {
        var mine = subjects.ToHashSet();
        var all = new HashSet<RetentionScheduleKey>();
        var seen = new List<RetentionScheduleEntry>();
        RetentionScheduleKey? cursor = null;
        while (true)
        {
            var page = await Store.GetDueAsync(dueBy, cursor, pageSize);
            Assert.True(page.Count <= pageSize, "A page holds more entries than its size.");
            foreach (var entry in page)
            {
                Assert.True(all.Add(entry.Key), "An entry came twice while paging.");
                Assert.True(entry.DestroyAfter <= dueBy, "An entry not yet due was returned.");
                if (mine.Contains(entry.Subject))
                {
                    seen.Add(entry);
                }
            }

            if (page.Count < pageSize)
            {
                return seen;
            }

            cursor = page[^1].Key;
        }
    }
}
