using Gdpr.Erasure;
using Gdpr.Keys;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="ILegalHoldStore"/> contract as xunit tests. A legal hold keeps a subject's data while legal
/// claims are at stake (GDPR Art. 17(3)(e)), so a store that loses a hold, or reports a released one as active,
/// either destroys data it must keep or keeps data it must erase. Derive from it and return your store from
/// <see cref="CreateStore"/>; every test uses subjects of its own, so a shared store is fine.
/// </summary>
public abstract class LegalHoldStoreContractTests
{
    /// <summary>The time the tests place holds at.</summary>
    protected static readonly DateTimeOffset PlacedAt = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly Lock _createLock = new();
    private ILegalHoldStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected ILegalHoldStore Store
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
    protected abstract ILegalHoldStore CreateStore();

    /// <summary>A subject without holds has none active.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetActive_SubjectWithoutHolds_IsEmpty()
        => Assert.Empty(await Store.GetActiveAsync(TestData.NewPseudonym()));

    /// <summary>A placed hold reads back unchanged and active, oldest first, and only for its subject (GDPR Art. 17(3)(e)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Add_Holds_AreActiveOldestFirstForTheirSubjectOnly_Art17_3_e()
    {
        var subject = TestData.NewPseudonym();
        var later = NewHold(subject, PlacedAt.AddDays(2), "claim 2026-114");
        var earlier = NewHold(subject, PlacedAt, "claim 2026-113");
        await Store.AddAsync(earlier);
        await Store.AddAsync(later);
        await Store.AddAsync(NewHold(TestData.NewPseudonym(), PlacedAt, "claim other"));

        var active = await Store.GetActiveAsync(subject);

        Assert.Equal([earlier, later], active);
        Assert.All(active, h => Assert.True(h.IsActive));
    }

    /// <summary>Releasing returns the hold with its release time; it is no longer active, and a second release finds nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Release_ActiveHold_EndsItOnce_Art17_3_e()
    {
        var subject = TestData.NewPseudonym();
        var hold = NewHold(subject, PlacedAt, "claim 2026-113");
        var kept = NewHold(subject, PlacedAt.AddDays(1), "claim 2026-200");
        await Store.AddAsync(hold);
        await Store.AddAsync(kept);
        var releasedAt = PlacedAt.AddDays(30);

        var released = await Store.ReleaseAsync(subject, hold.Id, releasedAt);

        Assert.Equal(hold with { ReleasedAt = releasedAt }, released);
        Assert.Equal([kept], await Store.GetActiveAsync(subject));
        Assert.Null(await Store.ReleaseAsync(subject, hold.Id, releasedAt.AddDays(1)));
    }

    /// <summary>A hold is released only through its own subject: another subject's pseudonym, or an unknown id, releases nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Release_WrongSubjectOrUnknownId_ReleasesNothing()
    {
        var subject = TestData.NewPseudonym();
        var hold = NewHold(subject, PlacedAt, "claim 2026-113");
        await Store.AddAsync(hold);

        Assert.Null(await Store.ReleaseAsync(TestData.NewPseudonym(), hold.Id, PlacedAt.AddDays(1)));
        Assert.Null(await Store.ReleaseAsync(subject, "hold-" + Guid.NewGuid().ToString("N"), PlacedAt.AddDays(1)));
        Assert.Equal([hold], await Store.GetActiveAsync(subject));
    }

    /// <summary>
    /// The sweeper's batch check names exactly the subjects with an active hold among many (more than a database's
    /// parameter limit per statement), and none whose holds were all released.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetHeld_ManySubjects_ReturnsOnlyThoseWithAnActiveHold_Art17_3_e()
    {
        var subjects = Enumerable.Range(0, 1_200).Select(_ => TestData.NewPseudonym()).ToList();
        await Store.AddAsync(NewHold(subjects[3], PlacedAt, "claim a"));
        await Store.AddAsync(NewHold(subjects[1_100], PlacedAt, "claim b"));
        await Store.AddAsync(NewHold(subjects[1_100], PlacedAt, "claim b2"));
        var released = NewHold(subjects[7], PlacedAt, "claim c");
        await Store.AddAsync(released);
        Assert.NotNull(await Store.ReleaseAsync(subjects[7], released.Id, PlacedAt.AddDays(1)));

        var held = await Store.GetHeldAsync(subjects);

        Assert.Equal(new HashSet<SubjectPseudonym> { subjects[3], subjects[1_100] }, held);
        Assert.Empty(await Store.GetHeldAsync([]));
    }

    /// <summary>Creates a hold with a random id.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="placedAt">When it is placed.</param>
    /// <param name="reason">The case reference.</param>
    /// <returns>The hold.</returns>
    protected static LegalHold NewHold(SubjectPseudonym subject, DateTimeOffset placedAt, string reason)
        => new("hold-" + Guid.NewGuid().ToString("N"), subject, reason, placedAt);
}
