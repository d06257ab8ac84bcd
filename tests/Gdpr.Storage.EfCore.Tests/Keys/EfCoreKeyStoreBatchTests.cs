using System.Security.Cryptography;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>
/// The EF key store's own batch members (one transaction per batch, or per dialect-sized part on PostgreSQL, and
/// chunked reads), beyond what the store contract checks: large batches, all-or-nothing parts, overlapping batches.
/// </summary>
public abstract class EfCoreKeyStoreBatchTests
{
    private const string Scope = "default";
    private static readonly DateTimeOffset CreatedAt = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private protected abstract EfCoreSubjectKeyStore Store { get; }

    [SkippableFact]
    public async Task AddKeys_MoreKeysThanOneTransactionAndOneReadHold_StoresEachAndReadsThemBackInOrder()
    {
        var store = Store;
        store.BatchReadSize = 100;
        var keys = Enumerable.Range(0, 1_200).Select(_ => NewKey(TestHosts.NewPseudonym())).ToList();

        var kept = await store.AddKeysAsync(keys);
        var states = await store.GetStatesAsync([.. keys.Select(k => (k.Subject, k.Scope))]);

        Assert.Equal(keys.Count, kept.Count);
        Assert.Equal(keys.Count, states.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(keys[i].Subject, kept[i].Subject);
            Assert.True(keys[i].WrappedKey.Span.SequenceEqual(kept[i].WrappedKey.Span));
            Assert.True(keys[i].WrappedKey.Span.SequenceEqual(states[i].Key!.WrappedKey.Span));
        }
    }

    [SkippableFact]
    public async Task AddKeys_OneKeyOfAShreddedVersion_WritesNoneOfTheBatch()
    {
        var store = Store;
        var shredded = TestHosts.NewPseudonym();
        await store.AddKeyAsync(NewKey(shredded));
        await store.ShredAsync(shredded, Scope, CreatedAt);
        var fresh = Enumerable.Range(0, 5).Select(_ => NewKey(TestHosts.NewPseudonym())).ToList();

        // Version 1 of the shredded subject again: refused, and the batch's other keys are not half-written.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.AddKeysAsync([.. fresh, NewKey(shredded)]));

        var states = await store.GetStatesAsync([.. fresh.Select(k => (k.Subject, k.Scope))]);
        Assert.All(states, s => Assert.Null(s.Key));
    }

    [SkippableFact]
    public async Task AddKeys_TwoBatchesOverTheSamePairsInOppositeOrder_ConvergeOnOneKeyEachWithoutDeadlock()
    {
        var store = Store;
        var subjects = Enumerable.Range(0, 600).Select(_ => TestHosts.NewPseudonym()).ToList();
        var first = subjects.Select(s => NewKey(s)).ToList();
        var second = subjects.Select(s => NewKey(s)).Reverse().ToList();

        var results = await Task.WhenAll(
            Task.Run(async () => await store.AddKeysAsync(first)),
            Task.Run(async () => await store.AddKeysAsync(second)));

        var states = await store.GetStatesAsync([.. subjects.Select(s => (s, Scope))]);
        var bySubject = states.ToDictionary(s => s.Key!.Subject, s => s.Key!);
        foreach (var kept in results.SelectMany(r => r))
        {
            Assert.True(bySubject[kept.Subject].WrappedKey.Span.SequenceEqual(kept.WrappedKey.Span));
        }
    }

    [SkippableFact]
    public async Task AddKeys_TwoKeysForOnePair_IsRefusedNamingThePseudonymNotTheSubject()
    {
        var subject = TestHosts.NewPseudonym();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AddKeysAsync([NewKey(subject), NewKey(subject)]));

        Assert.Contains(subject.Value, error.Message, StringComparison.Ordinal);
    }

    private static WrappedSubjectKey NewKey(SubjectPseudonym subject)
        => new(subject, Scope, 1, "kek-batch", RandomNumberGenerator.GetBytes(96), CreatedAt);
}

public sealed class SqliteEfCoreKeyStoreBatchTests : EfCoreKeyStoreBatchTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();
    private readonly ServiceProvider _services;

    public SqliteEfCoreKeyStoreBatchTests()
    {
        _services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory);
        Store = _services.GetRequiredService<EfCoreSubjectKeyStore>();
    }

    private protected override EfCoreSubjectKeyStore Store { get; }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}

public sealed class PostgresEfCoreKeyStoreBatchTests : EfCoreKeyStoreBatchTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresKeyStoreDatabase _database;
    private ServiceProvider? _services;

    public PostgresEfCoreKeyStoreBatchTests(PostgresKeyStoreDatabase database) => _database = database;

    private protected override EfCoreSubjectKeyStore Store
    {
        get
        {
            var connectionString = _database.ConnectionString; // skips only when PostgreSQL is not configured and not required
            _services ??= TestHosts.Build(o => o.UseNpgsql(connectionString), _database.KeyRingDirectory);
            return _services.GetRequiredService<EfCoreSubjectKeyStore>();
        }
    }

    public void Dispose() => _services?.Dispose();
}
