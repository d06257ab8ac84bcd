using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

/// <summary>The cache of unwrapped keys is bounded in count and age, and keys leave it wiped (Art. 32(1)).</summary>
public class KeyCacheTests
{
    private const string Scope = "default";

    [Fact]
    public async Task Cache_OverMaxEntries_EvictsOldestAndWipesIt()
    {
        await using var host = GdprTestHost.Create(configure: o => o.KeyCache.MaxEntries = 3);
        var entries = new List<DataKeyEntry>();
        for (var i = 0; i < 3; i++)
        {
            await host.Encryptor.PrepareAsync($"cust-{i}", Scope, forWriting: true);
            entries.Add(Peek(host, $"cust-{i}"));
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, host.Cache.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(CanEncrypt(host, $"cust-{i}")));

        await host.Encryptor.PrepareAsync("cust-3", Scope, forWriting: true);

        Assert.Equal(3, host.Cache.Count);
        Assert.False(CanEncrypt(host, "cust-0")); // the oldest went ...
        Assert.True(entries[0].IsDisposed);          // ... with its key bytes wiped
        Assert.True(CanEncrypt(host, "cust-1"));
        Assert.True(CanEncrypt(host, "cust-3"));
        Assert.False(entries[1].IsDisposed);

        // Evicted is not destroyed: the async API loads it again.
        var field = new FieldAddress("cust-0", Scope, "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(field, "zero@example.org");
        Assert.Equal("zero@example.org", (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        Assert.True(host.Cache.Count <= 3);
    }

    [Fact]
    public async Task Cache_ManyMoreSubjectsThanMaxEntries_NeverExceedsTheLimit()
    {
        await using var host = GdprTestHost.Create(configure: o => o.KeyCache.MaxEntries = 20);
        var evicted = new List<DataKeyEntry>();
        for (var i = 0; i < 200; i++)
        {
            await host.Encryptor.PrepareAsync($"cust-{i}", Scope, forWriting: true);
            evicted.Add(Peek(host, $"cust-{i}"));
            host.Time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.InRange(host.Cache.Count, 1, 20);
        }

        // Every entry that is no longer cached has had its key wiped.
        var stillCached = Enumerable.Range(0, 200).Where(i => CanEncrypt(host, $"cust-{i}")).ToHashSet();
        Assert.Equal(host.Cache.Count, stillCached.Count);
        Assert.All(Enumerable.Range(0, 200).Where(i => !stillCached.Contains(i)), i => Assert.True(evicted[i].IsDisposed, $"cust-{i} not wiped"));
        Assert.Contains(199, stillCached); // the newest survives
    }

    [Fact]
    public async Task Cache_AfterMaxAge_ExpiresAndWipesTheKey()
    {
        await using var host = GdprTestHost.Create(configure: o => o.KeyCache.MaxAge = TimeSpan.FromMinutes(2));
        await host.Encryptor.PrepareAsync("cust-age", Scope, forWriting: true);
        var entry = Peek(host, "cust-age");

        host.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));
        Assert.True(CanEncrypt(host, "cust-age"));

        host.Time.Advance(TimeSpan.FromTicks(1));
        Assert.False(CanEncrypt(host, "cust-age"));
        Assert.True(entry.IsDisposed);
        Assert.Equal(0, host.Cache.Count);

        // The async API reloads it from the store; the same key comes back (no new version).
        var field = new FieldAddress("cust-age", Scope, "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(field, "aged@example.org");
        Assert.Equal(1, envelope[5]);
        Assert.True(CanEncrypt(host, "cust-age"));
    }

    [Fact]
    public async Task Cache_AfterMaxAge_WipesTheKeyEvenIfNoOneAsksForItAgain()
    {
        // "Keys leave it wiped ... on expiry": an idle subject's key must not stay unwrapped in memory until the
        // count limit happens to push it out (a subject shredded on another node would stay readable from a dump).
        await using var host = GdprTestHost.Create(configure: o => o.KeyCache.MaxAge = TimeSpan.FromMinutes(2));
        await host.Encryptor.PrepareAsync("cust-idle", Scope, forWriting: true);
        var entry = Peek(host, "cust-idle");

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(entry.IsDisposed);

        // Expired entries are swept periodically (every MaxAge), so a key lives at most twice MaxAge.
        host.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(entry.IsDisposed);
        Assert.Equal(0, host.Cache.Count);
    }

    [Fact]
    public async Task Cache_AfterMaxAge_ReadingAnErasedValue_AsksTheStoreAgain()
    {
        // Another node shredded: after MaxAge this node must learn it, even though it cached a live key.
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var nodeA = GdprTestHost.Create(configure: o => o.KeyCache.MaxAge = TimeSpan.FromMinutes(1), time: time, store: store, kek: kek);
        await using var nodeB = GdprTestHost.Create(configure: o => o.KeyCache.MaxAge = TimeSpan.FromMinutes(1), time: time, store: store, kek: kek);
        var field = new FieldAddress("cust-two-nodes", Scope, "Customer.Email");
        var envelope = await nodeA.Encryptor.EncryptValueAsync(field, "jan@example.org");
        Assert.False((await nodeB.Encryptor.DecryptAsync(field, envelope)).IsErased);

        await nodeA.Keys.ShredAsync(field.SubjectId, Scope);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.True((await nodeB.Encryptor.DecryptAsync(field, envelope)).IsErased);
    }

    [Fact]
    public async Task Cache_VeryLongMaxAge_StillWorks()
    {
        await using var host = GdprTestHost.Create(configure: o => o.KeyCache.MaxAge = TimeSpan.FromDays(3650));
        await host.Encryptor.PrepareAsync("cust-long", Scope, forWriting: true);
        host.Time.Advance(TimeSpan.FromDays(3000));
        Assert.True(CanEncrypt(host, "cust-long"));
    }

    [Fact]
    public async Task Evict_DropsCachedKeysWithoutDestroyingThem()
    {
        await using var host = GdprTestHost.Create();
        var field = new FieldAddress("cust-evict", Scope, "Customer.Email");
        var other = field with { Scope = "marketing" };
        var envelope = await host.Encryptor.EncryptValueAsync(field, "jan@example.org");
        await host.Encryptor.EncryptValueAsync(other, "cycling");
        var entry = Peek(host, field.SubjectId);

        ((Gdpr.Keys.Infrastructure.ISubjectKeyCache)host.Keys).Evict(host.Keys.GetPseudonym(field.SubjectId));

        Assert.True(entry.IsDisposed);
        Assert.False(CanEncrypt(host, field.SubjectId));
        Assert.False(host.Encryptor.TryEncrypt(other, new byte[1], new byte[200], out _));
        Assert.Equal("jan@example.org", (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
    }

    [Fact]
    public async Task Dispose_WipesEveryCachedKey()
    {
        var host = GdprTestHost.Create();
        await host.Encryptor.PrepareAsync("cust-dispose", Scope, forWriting: true);
        var entry = Peek(host, "cust-dispose");

        await host.DisposeAsync();

        Assert.True(entry.IsDisposed);
    }

    [Fact]
    public async Task TryAdd_ManyLoadersAtOnce_LeaveOneLiveEntry_And_DisposeEveryOther()
    {
        // Loaders of one subject that finish together (a slow store) all cache their entry at once. Exactly one
        // must stay cached and usable; every replaced one must be disposed (wiped), never the cached one — a wiped
        // cached entry would let a cipher be derived from zeros.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var cache = new DataKeyCache(Microsoft.Extensions.Options.Options.Create(new GdprOptions()), time);
        var pseudonym = new SubjectPseudonym("p");
        const int Threads = 8;
        for (var round = 0; round < 300; round++)
        {
            using var start = new Barrier(Threads);
            var added = await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
            {
                var entry = new DataKeyEntry("cust-race", Scope, pseudonym, 1, 0, new byte[32], cache.Now());
                var epoch = cache.ShredEpoch;
                start.SignalAndWait();
                Assert.True(cache.TryAdd(entry, epoch));
                return entry;
            })));

            Assert.True(cache.TryGet("cust-race", Scope, out var cached));
            Assert.False(cached.IsDisposed);
            Assert.Equal(Threads - 1, added.Count(e => e.IsDisposed));
            Assert.Contains(cached, added);
            cache.Evict("cust-race", Scope);
            Assert.True(cached.IsDisposed);
        }
    }

    [Fact]
    public async Task EvictByPseudonym_AfterRacingLoaders_RemovesTheLiveEntry_AndLeavesOtherScopesAndSubjects()
    {
        // Shreds known only by pseudonym (the sweeper, another node's notification) must find the cached entry
        // even when racing loaders replaced it, and must not touch another scope or subject.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var cache = new DataKeyCache(Microsoft.Extensions.Options.Options.Create(new GdprOptions()), time);
        var pseudonym = new SubjectPseudonym("p-1");
        for (var round = 0; round < 200; round++)
        {
            using var start = new Barrier(4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                var entry = new DataKeyEntry("cust-1", Scope, pseudonym, 1, 0, new byte[32], cache.Now());
                var epoch = cache.ShredEpoch;
                start.SignalAndWait();
                cache.TryAdd(entry, epoch);
            })));
            var other = new DataKeyEntry("cust-1", "tax", pseudonym, 1, 0, new byte[32], cache.Now());
            var stranger = new DataKeyEntry("cust-2", Scope, new SubjectPseudonym("p-2"), 1, 0, new byte[32], cache.Now());
            cache.TryAdd(other, cache.ShredEpoch);
            cache.TryAdd(stranger, cache.ShredEpoch);
            Assert.True(cache.TryGet("cust-1", Scope, out var live));

            Assert.Equal(1, cache.Evict(pseudonym, Scope));

            Assert.True(live.IsDisposed);
            Assert.False(cache.TryGet("cust-1", Scope, out _));
            Assert.True(cache.TryGet("cust-1", "tax", out _));
            Assert.True(cache.TryGet("cust-2", Scope, out _));
            Assert.Equal(0, cache.Evict(pseudonym, Scope));
            cache.Evict(pseudonym, null);
            cache.Evict(stranger.Pseudonym, null);
            Assert.Equal(0, cache.Count);
        }
    }

    private static bool CanEncrypt(GdprTestHost host, string subjectId)
        => host.Encryptor.TryEncrypt(new FieldAddress(subjectId, Scope, "Customer.Email"), new byte[4], new byte[host.Encryptor.GetEnvelopeLength(4)], out _);

    private static DataKeyEntry Peek(GdprTestHost host, string subjectId)
    {
        Assert.True(host.Cache.TryGet(subjectId, Scope, out var entry));
        return entry;
    }
}
