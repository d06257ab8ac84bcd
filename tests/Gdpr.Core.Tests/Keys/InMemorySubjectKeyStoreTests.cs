using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

public class InMemorySubjectKeyStoreTests
{
    private static readonly SubjectPseudonym Subject = new("pseudonym-1");
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetStateAsync_KeyReadBeforeAShred_IsNotWipedUnderTheReader()
    {
        // A reader that got the key just before a concurrent shred must be able to unwrap what it read (it then
        // sees the shred through the cache epoch); wiping its bytes made it report tampering instead.
        var store = new InMemorySubjectKeyStore();
        await store.AddKeyAsync(NewKey(1, [1, 2, 3, 4]));
        var read = (await store.GetStateAsync(Subject, "default")).Key!;
        var wrapped = (await store.GetKeysWrappedWithAsync("kek-1").ToListAsync()).Single();

        await store.ShredAsync(Subject, "default", Now);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, read.WrappedKey.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, wrapped.WrappedKey.ToArray());
    }

    [Fact]
    public async Task AddKeyAsync_CopiesTheCallersBytes_AndReturnsTheWinner()
    {
        var store = new InMemorySubjectKeyStore();
        var bytes = new byte[] { 9, 9, 9 };
        var first = await store.AddKeyAsync(NewKey(1, bytes));
        bytes[0] = 0;

        var second = await store.AddKeyAsync(NewKey(1, [7, 7, 7]));

        Assert.Equal(new byte[] { 9, 9, 9 }, second.WrappedKey.ToArray());
        Assert.Equal(first.WrappedKey.ToArray(), second.WrappedKey.ToArray());
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task ShredAsync_RecordsTombstone_AndRefusesReusingTheVersion()
    {
        var store = new InMemorySubjectKeyStore();
        await store.AddKeyAsync(NewKey(1, [1]));

        var tombstone = await store.ShredAsync(Subject, "default", Now);

        Assert.Equal(new KeyTombstone(Subject, "default", 1, Now), tombstone);
        Assert.Null(await store.ShredAsync(Subject, "default", Now));
        Assert.Equal(new SubjectKeyState(null, 1), await store.GetStateAsync(Subject, "default"));
        Assert.Empty(await store.GetScopesAsync(Subject).ToListAsync());
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.AddKeyAsync(NewKey(1, [1])));
        Assert.Equal(2, (await store.AddKeyAsync(NewKey(2, [2]))).Version);
    }

    [Fact]
    public async Task ReplaceWrappingAsync_OnlyReplacesTheKeyAsRead()
    {
        var store = new InMemorySubjectKeyStore();
        var current = await store.AddKeyAsync(NewKey(1, [1]));
        var rewrapped = current with { KeyEncryptionKeyId = "kek-2", WrappedKey = new byte[] { 2 } };

        Assert.True(await store.ReplaceWrappingAsync(current, rewrapped));
        Assert.False(await store.ReplaceWrappingAsync(current, rewrapped)); // already rewrapped: KEK id differs now
        Assert.Equal("kek-2", (await store.GetStateAsync(Subject, "default")).Key!.KeyEncryptionKeyId);

        await store.ShredAsync(Subject, "default", Now);
        Assert.False(await store.ReplaceWrappingAsync(rewrapped, rewrapped with { KeyEncryptionKeyId = "kek-3" }));
        Assert.Equal(0, store.Count);
    }

    private static WrappedSubjectKey NewKey(int version, byte[] bytes) => new(Subject, "default", version, "kek-1", bytes, Now);
}
