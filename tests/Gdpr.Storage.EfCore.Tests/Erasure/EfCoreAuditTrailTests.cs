using Gdpr.Audit;
using Gdpr.Erasure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Erasure;

public class EfCoreAuditTrailTests
{
    [Fact]
    public async Task AuditTrail_InSqliteFile_SurvivesARestartAndKeepsChaining()
    {
        using var database = new SqliteErasureDatabase();
        var time = new FakeTimeProvider(SqliteErasureDatabase.Day0);
        await using (var first = database.CreateProvider(time))
        {
            await first.WriteAsync("cust-1", "marketing", "cycling");
            await first.GetRequiredService<ILegalHoldService>().PlaceHoldAsync("cust-2", "claim 12");
            await first.Erasure().EraseAsync("cust-1");
        }

        await using var second = database.CreateProvider(time);
        var before = await second.Audit().VerifyAsync();
        Assert.True(before.IsValid);
        Assert.Equal(3, before.EntriesChecked); // hold.placed, key.shredded, erasure.completed

        await second.Sweeper().SweepAsync();

        var after = await second.Audit().VerifyAsync();
        Assert.True(after.IsValid);
        Assert.Equal(4, after.EntriesChecked);
        var kinds = new List<string>();
        await foreach (var entry in second.Audit().ReadAsync())
        {
            kinds.Add(entry.Kind);
        }

        Assert.Equal([AuditKinds.HoldPlaced, AuditKinds.KeyShredded, AuditKinds.ErasureCompleted, AuditKinds.SweepCompleted], kinds);
    }

    [Fact]
    public async Task VerifyAsync_RowEditedInTheDatabaseFile_NamesItsSequence()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = await SeedAsync(database);

        Assert.Equal(1, database.Execute("UPDATE gdpr_audit_entries SET details = '{\"holdId\":\"hold-1\",\"reason\":\"nothing\"}' WHERE sequence = 2"));
        var result = await services.Audit().VerifyAsync();

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.EntryAltered, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_RowDeletedFromTheDatabaseFile_NamesTheMissingSequence()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = await SeedAsync(database);

        Assert.Equal(1, database.Execute("DELETE FROM gdpr_audit_entries WHERE sequence = 3"));
        var result = await services.Audit().VerifyAsync();

        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.SequenceBroken, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_RowsSwappedInTheDatabaseFile_NamesTheFirstMovedSequence()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = await SeedAsync(database);

        database.Execute("UPDATE gdpr_audit_entries SET sequence = -1 WHERE sequence = 2");
        database.Execute("UPDATE gdpr_audit_entries SET sequence = 2 WHERE sequence = 3");
        database.Execute("UPDATE gdpr_audit_entries SET sequence = 3 WHERE sequence = -1");
        var result = await services.Audit().VerifyAsync();

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.LinkBroken, result.Break);
    }

    [Fact]
    public async Task TryAppendAsync_SequenceAlreadyTaken_ReturnsFalseAndStoresNothing()
    {
        using var database = new SqliteErasureDatabase();
        await using var services = await SeedAsync(database);
        var store = services.GetRequiredService<IAuditStore>();
        var last = (await store.GetLastAsync())!;

        var stale = last with { Sequence = last.Sequence, Kind = "forged" };

        Assert.False(await store.TryAppendAsync([stale]));
        Assert.True((await services.Audit().VerifyAsync()).IsValid);
    }

    private static async Task<ServiceProvider> SeedAsync(SqliteErasureDatabase database)
    {
        var services = database.CreateProvider(new FakeTimeProvider(SqliteErasureDatabase.Day0));
        var holds = services.GetRequiredService<ILegalHoldService>();
        for (var i = 0; i < 5; i++)
        {
            await holds.PlaceHoldAsync($"cust-{i}", $"claim {i}");
        }

        Assert.True((await services.Audit().VerifyAsync()).IsValid);
        return services;
    }
}
