using Gdpr.Core.Tests.TestSupport;
using Gdpr.Keys;
using Gdpr.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Search;

public sealed class BlindIndexKeyRingTests
{
    private static readonly BlindIndexDefinition Phone = new("Customer", "phone", ["Phone"], [BlindIndexNormalization.PhoneNumber], 32);

    private static BlindIndexKeyRing Ring(GdprTestHost host) => host.Services.GetRequiredService<BlindIndexKeyRing>();

    private static async Task<long?> ValueAsync(GdprTestHost host, int epoch, string phone)
    {
        var live = await Ring(host).GetAsync(forWriting: false, CancellationToken.None);
        return live.Single(e => e.Epoch == epoch).Hasher.Compute(Phone, [phone]);
    }

    [Fact]
    public async Task TheFirstWrite_CreatesEpochOne_WhichEveryNodeOnTheStoreShares()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var first = GdprTestHost.Create(store: store, kek: kek);
        await using var second = GdprTestHost.Create(store: store, kek: kek);

        Assert.Empty(await Ring(first).GetAsync(forWriting: false, CancellationToken.None));
        var live = await Ring(first).GetAsync(forWriting: true, CancellationToken.None);

        Assert.Equal([1], live.Select(e => e.Epoch));
        Assert.Equal(await ValueAsync(first, 1, "020 123 4567"), await ValueAsync(second, 1, "+31201234567"));
        Assert.Equal(1, store.Count); // one key row: the epoch's root key, wrapped like a subject's key
    }

    [Fact]
    public async Task ARootKey_SurvivesAKekRotation()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        await Ring(host).GetAsync(forWriting: true, CancellationToken.None);
        var before = await ValueAsync(host, 1, "06 12345678");

        var rotation = await host.Keys.RotateKeyEncryptionKeyAsync();

        Assert.Equal(1, rotation.RewrappedKeys);
        await using var restarted = GdprTestHost.Create(store: store, kek: kek);
        Assert.Equal(before, await ValueAsync(restarted, 1, "06 12345678"));
    }

    [Fact]
    public async Task ANewEpoch_TakesTheWrites_TheOldOneStillAnswersLookups_UntilItIsDestroyed()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        var ring = Ring(host);
        await ring.GetAsync(forWriting: true, CancellationToken.None);
        var old = await ValueAsync(host, 1, "06 12345678");

        Assert.Equal(2, await ring.StartEpochAsync(CancellationToken.None));
        var live = await ring.GetAsync(forWriting: true, CancellationToken.None);
        Assert.Equal([2, 1], live.Select(e => e.Epoch));
        Assert.NotEqual(old, live[0].Hasher.Compute(Phone, ["06 12345678"]));
        Assert.Equal(old, live[1].Hasher.Compute(Phone, ["06 12345678"]));

        Assert.True(await ring.DestroyEpochAsync(1, CancellationToken.None));

        // Gone from the store, not only from this node: a fresh node lists only epoch 2, and epoch 1's root key is a
        // tombstone, so an index value from before (in an old backup) cannot be recomputed to match anything.
        await using var fresh = GdprTestHost.Create(store: store, kek: kek);
        Assert.Equal([2], (await Ring(fresh).GetAsync(forWriting: false, CancellationToken.None)).Select(e => e.Epoch));
        var pseudonym = host.Services.GetRequiredService<SubjectKeyManager>().GetOwnKeyPseudonym("\0gdpr.blind-index.root.v1"u8);
        Assert.Null((await store.GetStateAsync(pseudonym, BlindIndexKeyRing.ScopeOf(1))).Key);
        Assert.Equal(1, (await store.GetStateAsync(pseudonym, BlindIndexKeyRing.ScopeOf(1))).LastShreddedVersion);
        Assert.False(await ring.DestroyEpochAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task TheNewestEpoch_CannotBeDestroyed()
    {
        await using var host = GdprTestHost.Create();
        var ring = Ring(host);
        await ring.GetAsync(forWriting: true, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ring.DestroyEpochAsync(1, CancellationToken.None));

        Assert.Contains("epoch 1 is the newest", ex.Message);
        Assert.Equal([1], (await ring.GetAsync(forWriting: false, CancellationToken.None)).Select(e => e.Epoch));
    }

    [Fact]
    public async Task AnotherNode_LearnsOfANewEpoch_WithinTheKeyCacheAge()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var first = GdprTestHost.Create(store: store, kek: kek);
        await using var second = GdprTestHost.Create(store: store, kek: kek);
        await Ring(first).GetAsync(forWriting: true, CancellationToken.None);
        Assert.Equal([1], (await Ring(second).GetAsync(forWriting: true, CancellationToken.None)).Select(e => e.Epoch));

        await Ring(first).StartEpochAsync(CancellationToken.None);
        Assert.Equal([1], (await Ring(second).GetAsync(forWriting: true, CancellationToken.None)).Select(e => e.Epoch));

        second.Time.Advance(new GdprOptions().KeyCache.MaxAge);
        Assert.Equal([2, 1], (await Ring(second).GetAsync(forWriting: true, CancellationToken.None)).Select(e => e.Epoch));
    }

    [Fact]
    public async Task TheReservedPseudonym_IsNoSubjectsPseudonym()
    {
        // A label without the leading NUL could equal a subject id; subject ids cannot contain NUL.
        await using var host = GdprTestHost.Create();
        var keys = host.Services.GetRequiredService<SubjectKeyManager>();
        Assert.Throws<ArgumentException>(() => keys.GetOwnKeyPseudonym("gdpr.blind-index.root.v1"u8));
        Assert.Throws<InvalidSubjectIdException>(() => keys.GetPseudonym("\0gdpr.blind-index.root.v1"));
    }
}
