using Gdpr.Erasure;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Erasure;

public class EfCoreLegalHoldTests
{
    // GDPR Art. 17(3)(e): a hold placed before a restart still stops the sweeper after it, until it is released.
    [Fact]
    public async Task Hold_InSqliteFile_SurvivesARestart_AndStopsTheSweeperUntilReleased_Art17_3_e()
    {
        using var database = new SqliteErasureDatabase();
        var time = new FakeTimeProvider(SqliteErasureDatabase.Day0);
        await using var services = database.CreateProvider(time);
        var tax = await services.WriteAsync("cust-1", "tax", "J. Jansen");
        await services.Erasure().EraseAsync("cust-1");
        LegalHold hold;
        await using (var before = database.CreateProvider(time))
        {
            hold = await before.GetRequiredService<ILegalHoldService>().PlaceHoldAsync("cust-1", "claim 2026-113");
        }

        time.SetUtcNow(SqliteErasureDatabase.Day0.AddYears(8));
        var held = await services.Sweeper().SweepAsync();

        Assert.Equal((0, 1), (held.Destroyed, held.SkippedForHolds));
        Assert.True(await services.IsReadableAsync("cust-1", "tax", tax));
        var active = Assert.Single(await services.GetRequiredService<ILegalHoldService>().GetActiveHoldsAsync("cust-1"));
        Assert.Equal((hold.Id, "claim 2026-113", SqliteErasureDatabase.Day0), (active.Id, active.Reason, active.PlacedAt));

        Assert.True(await services.GetRequiredService<ILegalHoldService>().ReleaseHoldAsync("cust-1", hold.Id));
        Assert.False(await services.GetRequiredService<ILegalHoldService>().ReleaseHoldAsync("cust-1", hold.Id));
        Assert.Equal(1, (await services.Sweeper().SweepAsync()).Destroyed);
        Assert.False(await services.IsReadableAsync("cust-1", "tax", tax));
    }

    [Fact]
    public async Task GetHeldAsync_ManySubjects_ReturnsOnlyThoseWithAnActiveHold()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = database.CreateProvider(new FakeTimeProvider(SqliteErasureDatabase.Day0));
        var store = services.GetRequiredService<ILegalHoldStore>();
        var subjects = Enumerable.Range(0, 1_200).Select(i => new SubjectPseudonym($"p{i:D4}")).ToList();
        await store.AddAsync(new LegalHold("hold-a", subjects[3], "claim a", SqliteErasureDatabase.Day0));
        await store.AddAsync(new LegalHold("hold-b", subjects[1_100], "claim b", SqliteErasureDatabase.Day0));
        await store.AddAsync(new LegalHold("hold-c", subjects[7], "claim c", SqliteErasureDatabase.Day0));
        Assert.NotNull(await store.ReleaseAsync(subjects[7], "hold-c", SqliteErasureDatabase.Day0.AddDays(1)));

        var held = await store.GetHeldAsync(subjects);

        Assert.Equal(new HashSet<SubjectPseudonym> { subjects[3], subjects[1_100] }, held);
    }
}
