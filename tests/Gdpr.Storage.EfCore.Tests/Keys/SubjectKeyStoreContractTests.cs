using System.Security.Cryptography;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>
/// The <see cref="ISubjectKeyStore"/> contract, run against every store: in memory, EF on SQLite, EF on PostgreSQL.
/// </summary>
public abstract class SubjectKeyStoreContractTests
{
    private const string Scope = "default";
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    protected abstract ISubjectKeyStore Store { get; }

    [SkippableFact]
    public async Task GetState_UnknownSubject_HasNoKeyAndNoShreddedVersion()
    {
        var state = await Store.GetStateAsync(TestHosts.NewPseudonym(), Scope);

        Assert.Null(state.Key);
        Assert.Equal(0, state.LastShreddedVersion);
    }

    [SkippableFact]
    public async Task AddKey_NewSubject_IsReadBackUnchanged()
    {
        var key = NewKey(TestHosts.NewPseudonym());

        var stored = await Store.AddKeyAsync(key);
        var state = await Store.GetStateAsync(key.Subject, Scope);

        AssertSameKey(key, stored);
        AssertSameKey(key, state.Key);
        Assert.Equal(CreatedAt, state.Key!.CreatedAt);
        Assert.Equal(0, state.LastShreddedVersion);
    }

    [SkippableFact]
    public async Task AddKey_WhenALiveKeyExists_ReturnsTheExistingKey()
    {
        var subject = TestHosts.NewPseudonym();
        var first = NewKey(subject);
        var second = NewKey(subject);

        await Store.AddKeyAsync(first);
        var kept = await Store.AddKeyAsync(second);

        AssertSameKey(first, kept);
        AssertSameKey(first, (await Store.GetStateAsync(subject, Scope)).Key);
    }

    [SkippableFact]
    public async Task AddKey_ConcurrentFirstWriters_ConvergeOnOneKey()
    {
        var subject = TestHosts.NewPseudonym();
        var candidates = Enumerable.Range(0, 8).Select(_ => NewKey(subject)).ToList();
        using var start = new ManualResetEventSlim();

        var writers = candidates.Select(k => Task.Run(async () =>
        {
            start.Wait();
            return await Store.AddKeyAsync(k);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(writers);

        var kept = (await Store.GetStateAsync(subject, Scope)).Key;
        Assert.NotNull(kept);
        Assert.Contains(candidates, c => c.WrappedKey.Span.SequenceEqual(kept.WrappedKey.Span));
        Assert.All(results, r => AssertSameKey(kept, r));
    }

    [SkippableFact]
    public async Task Shred_LiveKey_RemovesItAndRecordsTombstone_Art17()
    {
        var subject = TestHosts.NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject));
        var at = CreatedAt.AddDays(3);

        var tombstone = await Store.ShredAsync(subject, Scope, at);

        Assert.Equal(new KeyTombstone(subject, Scope, 1, at), tombstone);
        var state = await Store.GetStateAsync(subject, Scope);
        Assert.Null(state.Key);
        Assert.Equal(1, state.LastShreddedVersion);
        Assert.Equal(new[] { tombstone }, await ToListAsync(Store.GetTombstonesAsync(subject)));
        Assert.Empty(await ToListAsync(Store.GetScopesAsync(subject)));
    }

    [SkippableFact]
    public async Task Shred_NoLiveKey_ReturnsNullAndRecordsNothing()
    {
        var subject = TestHosts.NewPseudonym();
        Assert.Null(await Store.ShredAsync(subject, Scope, CreatedAt));

        await Store.AddKeyAsync(NewKey(subject));
        Assert.NotNull(await Store.ShredAsync(subject, Scope, CreatedAt));
        Assert.Null(await Store.ShredAsync(subject, Scope, CreatedAt));

        Assert.Single(await ToListAsync(Store.GetTombstonesAsync(subject)));
    }

    [SkippableFact]
    public async Task AddKey_AfterShred_TakesTheNextVersionAndRefusesTheShreddedOne()
    {
        var subject = TestHosts.NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject));
        await Store.ShredAsync(subject, Scope, CreatedAt);

        // A destroyed version must never come back: values written under it must stay erased.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.AddKeyAsync(NewKey(subject, version: 1)));
        var second = NewKey(subject, version: 2);
        AssertSameKey(second, await Store.AddKeyAsync(second));

        var state = await Store.GetStateAsync(subject, Scope);
        Assert.Equal(2, state.Key!.Version);
        Assert.Equal(1, state.LastShreddedVersion);

        await Store.ShredAsync(subject, Scope, CreatedAt.AddDays(1));
        Assert.Equal(new[] { 1, 2 }, (await ToListAsync(Store.GetTombstonesAsync(subject))).Select(t => t.Version).Order());
        Assert.Equal(2, (await Store.GetStateAsync(subject, Scope)).LastShreddedVersion);
    }

    [SkippableFact]
    public async Task ReplaceWrapping_CurrentKeyMatches_ReplacesKekAndBytes()
    {
        var key = await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), kek: "kek-old"));
        var rewrapped = key with { KeyEncryptionKeyId = "kek-new", WrappedKey = RandomNumberGenerator.GetBytes(96) };

        Assert.True(await Store.ReplaceWrappingAsync(key, rewrapped));

        AssertSameKey(rewrapped, (await Store.GetStateAsync(key.Subject, Scope)).Key);
    }

    [SkippableFact]
    public async Task ReplaceWrapping_KeyRewrappedOrShreddedMeanwhile_ReturnsFalseAndChangesNothing()
    {
        var key = await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), kek: "kek-old"));
        var first = key with { KeyEncryptionKeyId = "kek-new", WrappedKey = RandomNumberGenerator.GetBytes(96) };
        var stale = key with { KeyEncryptionKeyId = "kek-other", WrappedKey = RandomNumberGenerator.GetBytes(96) };
        Assert.True(await Store.ReplaceWrappingAsync(key, first));

        // Compare-and-swap on the KEK id: a second rotation that read the old wrapping loses.
        Assert.False(await Store.ReplaceWrappingAsync(key, stale));
        AssertSameKey(first, (await Store.GetStateAsync(key.Subject, Scope)).Key);

        await Store.ShredAsync(key.Subject, Scope, CreatedAt);
        Assert.False(await Store.ReplaceWrappingAsync(first, first with { KeyEncryptionKeyId = "kek-late" }));
        Assert.Null((await Store.GetStateAsync(key.Subject, Scope)).Key);
    }

    [SkippableFact]
    public async Task GetScopes_ListsTheLiveScopesOfThatSubjectOnly()
    {
        var subject = TestHosts.NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject, scope: "tax-7y"));
        await Store.AddKeyAsync(NewKey(subject, scope: "marketing"));
        await Store.AddKeyAsync(NewKey(subject, scope: "support"));
        await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), scope: "other-subject"));
        await Store.ShredAsync(subject, "marketing", CreatedAt);

        var scopes = await ToListAsync(Store.GetScopesAsync(subject));

        Assert.Equal(new[] { "support", "tax-7y" }, scopes.Order());
    }

    [SkippableFact]
    public async Task GetKeysWrappedWith_ListsEveryLiveKeyOfThatKekOnly()
    {
        var kek = "kek-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var mine = new List<WrappedSubjectKey>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add(await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), scope: "s" + i, kek: kek)));
        }

        await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), kek: kek + "-other"));
        await Store.ShredAsync(mine[3].Subject, mine[3].Scope, CreatedAt);

        var listed = await ToListAsync(Store.GetKeysWrappedWithAsync(kek));

        Assert.Equal(
            mine.Where((_, i) => i != 3).Select(k => (k.Subject.Value, k.Scope)).Order(),
            listed.Select(k => (k.Subject.Value, k.Scope)).Order());
        Assert.All(listed, k => AssertSameKey(mine.Single(m => m.Subject == k.Subject), k));
    }

    protected static WrappedSubjectKey NewKey(SubjectPseudonym subject, string scope = Scope, int version = 1, string kek = "kek-a")
        => new(subject, scope, version, kek, RandomNumberGenerator.GetBytes(96), CreatedAt);

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    private static void AssertSameKey(WrappedSubjectKey expected, WrappedSubjectKey? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.Subject, expected.Scope, expected.Version, expected.KeyEncryptionKeyId), (actual.Subject, actual.Scope, actual.Version, actual.KeyEncryptionKeyId));
        Assert.Equal(expected.WrappedKey.ToArray(), actual.WrappedKey.ToArray());
    }
}

public sealed class InMemorySubjectKeyStoreContractTests : SubjectKeyStoreContractTests
{
    protected override ISubjectKeyStore Store { get; } = new InMemorySubjectKeyStore();
}

public sealed class SqliteSubjectKeyStoreContractTests : SubjectKeyStoreContractTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();
    private readonly ServiceProvider _services;

    public SqliteSubjectKeyStoreContractTests()
    {
        _services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory);
        Store = _services.GetRequiredService<ISubjectKeyStore>();
    }

    protected override ISubjectKeyStore Store { get; }

    [Fact]
    public void UseEfCoreKeyStore_ReplacesTheInMemoryStore() => Assert.IsType<EfCoreSubjectKeyStore>(Store);

    [Fact]
    public async Task GetKeysWrappedWith_MoreKeysThanOnePage_ListsEachKeyOnce()
    {
        ((EfCoreSubjectKeyStore)Store).PageSize = 2;
        var added = new List<WrappedSubjectKey>();
        for (var i = 0; i < 5; i++)
        {
            added.Add(await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), kek: "kek-paged")));
        }

        var listed = await ToListAsync(Store.GetKeysWrappedWithAsync("kek-paged"));

        Assert.Equal(added.Select(k => k.Subject.Value).Order(), listed.Select(k => k.Subject.Value).Order());
    }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}

public sealed class PostgresSubjectKeyStoreContractTests : SubjectKeyStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresKeyStoreDatabase _database;
    private ServiceProvider? _services;

    public PostgresSubjectKeyStoreContractTests(PostgresKeyStoreDatabase database) => _database = database;

    protected override ISubjectKeyStore Store
    {
        get
        {
            var connectionString = _database.ConnectionString; // skips when PostgreSQL is not configured
            _services ??= TestHosts.Build(o => o.UseNpgsql(connectionString), _database.KeyRingDirectory);
            return _services.GetRequiredService<ISubjectKeyStore>();
        }
    }

    public void Dispose() => _services?.Dispose();
}
