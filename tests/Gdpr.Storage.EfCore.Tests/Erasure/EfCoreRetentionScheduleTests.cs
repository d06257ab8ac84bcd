using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Erasure;

public class EfCoreRetentionScheduleTests
{
    // GDPR Art. 17(3)(b), AWR art. 52: with the schedule in a SQLite file, the tax scope survives until exactly seven years.
    [Fact]
    public async Task Erasure_WithScheduleInSqlite_DestroysTaxExactlySevenYearsAfterDay0_Art17_3_b()
    {
        using var database = new SqliteErasureDatabase();
        var time = new FakeTimeProvider(SqliteErasureDatabase.Day0);
        await using var services = database.CreateProvider(time);
        var marketing = await services.WriteAsync("cust-1", "marketing", "cycling");
        var tax = await services.WriteAsync("cust-1", "tax", "J. Jansen");

        var result = await services.Erasure().EraseAsync("cust-1");

        Assert.Equal(ScopeErasureStatus.Destroyed, result.Scopes.Single(s => s.Scope == "marketing").Status);
        Assert.Equal(SqliteErasureDatabase.Day0.AddYears(7), result.Scopes.Single(s => s.Scope == "tax").RetainedUntil);
        Assert.False(await services.IsReadableAsync("cust-1", "marketing", marketing));

        time.SetUtcNow(SqliteErasureDatabase.Day0.AddYears(7).AddTicks(-1));
        Assert.Equal(0, (await services.Sweeper().SweepAsync()).Destroyed);
        Assert.True(await services.IsReadableAsync("cust-1", "tax", tax));

        time.SetUtcNow(SqliteErasureDatabase.Day0.AddYears(7));
        Assert.Equal(1, (await services.Sweeper().SweepAsync()).Destroyed);
        Assert.False(await services.IsReadableAsync("cust-1", "tax", tax));
        Assert.Equal(0, (await services.Sweeper().SweepAsync()).Destroyed);
    }

    [Fact]
    public async Task GetDueAsync_PagesThroughManyEntriesInKeyOrder_WithoutRepeatsOrGaps()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = database.CreateProvider(new FakeTimeProvider(SqliteErasureDatabase.Day0));
        var store = services.GetRequiredService<IRetentionScheduleStore>();
        for (var i = 0; i < 250; i++)
        {
            var subject = new SubjectPseudonym($"p{i:D4}");
            await store.SetAsync(new RetentionScheduleEntry(subject, "tax", SqliteErasureDatabase.Day0));
            await store.SetAsync(new RetentionScheduleEntry(subject, "zz-later", SqliteErasureDatabase.Day0.AddDays(1)));
        }

        var seen = new List<RetentionScheduleKey>();
        RetentionScheduleKey? cursor = null;
        while (true)
        {
            var page = await store.GetDueAsync(SqliteErasureDatabase.Day0, cursor, 100);
            seen.AddRange(page.Select(e => e.Key));
            if (page.Count < 100)
            {
                break;
            }

            cursor = page[^1].Key;
        }

        Assert.Equal(250, seen.Count);
        Assert.Equal(250, seen.Distinct().Count());
        Assert.All(seen, k => Assert.Equal("tax", k.Scope));
    }

    [Fact]
    public async Task SetAsync_And_RelationshipEnd_AreUpsertsThatSurviveARestart()
    {
        using var database = new SqliteErasureDatabase();
        var time = new FakeTimeProvider(SqliteErasureDatabase.Day0);
        var subject = new SubjectPseudonym("p-1");
        await using (var first = database.CreateProvider(time))
        {
            var store = first.GetRequiredService<IRetentionScheduleStore>();
            await store.SetAsync(new RetentionScheduleEntry(subject, "tax", SqliteErasureDatabase.Day0));
            await store.SetAsync(new RetentionScheduleEntry(subject, "tax", SqliteErasureDatabase.Day0.AddYears(7)));
            await store.SetRelationshipEndAsync(subject, SqliteErasureDatabase.Day0);
            await store.SetRelationshipEndAsync(subject, SqliteErasureDatabase.Day0.AddDays(1));
        }

        await using var second = database.CreateProvider(time);
        var reopened = second.GetRequiredService<IRetentionScheduleStore>();
        Assert.Equal(SqliteErasureDatabase.Day0.AddYears(7), (await reopened.GetAsync(subject, "tax"))!.DestroyAfter);
        Assert.Equal(SqliteErasureDatabase.Day0.AddDays(1), await reopened.GetRelationshipEndAsync(subject));
        await reopened.RemoveAsync([new RetentionScheduleKey(subject, "tax")]);
        Assert.Null(await reopened.GetAsync(subject, "tax"));
    }

    [Fact]
    public async Task Sweep_WithScheduleInSqlite_IsBatchedAndIdempotent()
    {
        using var database = new SqliteErasureDatabase();
        var time = new FakeTimeProvider(SqliteErasureDatabase.Day0);
        await using var services = database.CreateProvider(time, batchSize: 40);
        var scheduler = services.GetRequiredService<IRetentionScheduler>();
        for (var i = 0; i < 100; i++)
        {
            await services.WriteAsync($"cust-{i}", "tax", "J. Jansen");
            await scheduler.RecordRelationshipEndedAsync($"cust-{i}", SqliteErasureDatabase.Day0);
        }

        time.SetUtcNow(SqliteErasureDatabase.Day0.AddYears(7));
        var first = await services.Sweeper().SweepAsync();
        var second = await services.Sweeper().SweepAsync();

        Assert.Equal((100, 3), (first.Destroyed, first.Batches));
        Assert.Equal((0, 0), (second.Destroyed, second.Batches));
    }
}
