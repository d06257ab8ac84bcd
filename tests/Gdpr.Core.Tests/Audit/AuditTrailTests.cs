using Gdpr.Audit;
using Gdpr.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.Audit;

public class AuditTrailTests
{
    private static readonly SubjectPseudonym Someone = new("cHNldWRvbnltLTE");

    [Fact]
    public async Task VerifyAsync_UntouchedChain_IsValidAndReturnsTheHeadHash()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);

        var result = await trail.VerifyAsync();

        Assert.True(result.IsValid);
        Assert.Equal(5, result.EntriesChecked);
        Assert.Equal(store.Entries[^1].Hash, result.HeadHash);
        Assert.Equal(AuditEntryHasher.GenesisHash, store.Entries[0].PreviousHash);
        Assert.All(store.Entries.Skip(1), (e, i) => Assert.Equal(store.Entries[i].Hash, e.PreviousHash));
    }

    [Fact]
    public async Task VerifyAsync_EditedEntry_NamesItsSequence()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);
        store.Entries[2] = store.Entries[2] with { Details = new Dictionary<string, string> { ["scope"] = "marketing", ["keyVersion"] = "9" } };

        var result = await trail.VerifyAsync();

        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.EntryAltered, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_EditedEntryWithRecomputedHash_BreaksTheNextLink()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);
        var forged = store.Entries[1] with { Kind = AuditKinds.HoldReleased };
        store.Entries[1] = forged with { Hash = AuditEntryHasher.ComputeHash(forged) };

        var result = await trail.VerifyAsync();

        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.LinkBroken, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_RemovedEntry_NamesTheMissingSequence()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);
        store.Entries.RemoveAt(1);

        var result = await trail.VerifyAsync();

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.SequenceBroken, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_ReorderedEntries_NamesTheFirstMovedSequence()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);
        (store.Entries[3], store.Entries[2]) = (store.Entries[2], store.Entries[3]);

        var result = await trail.VerifyAsync();

        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.SequenceBroken, result.Break);
    }

    [Fact]
    public async Task VerifyAsync_RenumberedAfterRemoval_BreaksTheLink()
    {
        var (trail, store) = await CreateWithEntriesAsync(5);
        store.Entries.RemoveAt(1);
        for (var i = 1; i < store.Entries.Count; i++)
        {
            store.Entries[i] = store.Entries[i] with { Sequence = i + 1 };
        }

        var result = await trail.VerifyAsync();

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal(AuditChainBreak.LinkBroken, result.Break);
    }

    [Fact]
    public async Task AppendAsync_AnotherWriterAppendedFirst_ChainsOntoItsEntries()
    {
        var store = new InMemoryAuditStore();
        var time = new FakeTimeProvider();
        using var writerA = new AuditTrail(store, time);
        using var writerB = new AuditTrail(store, time);

        await writerA.AppendAsync([Event(1)]);
        await writerB.AppendAsync([Event(2), Event(3)]);
        await writerA.AppendAsync([Event(4)]);

        Assert.Equal([1L, 2, 3, 4], store.Entries.Select(e => e.Sequence));
        Assert.True((await writerA.VerifyAsync()).IsValid);
    }

    [Fact]
    public void CanonicalForm_IsSortedCompactUtf8Json()
    {
        var entry = new AuditEntry(
            7,
            new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.FromHours(1)),
            AuditKinds.KeyShredded,
            Someone,
            new Dictionary<string, string> { ["scope"] = "tax", ["keyVersion"] = "2" },
            AuditEntryHasher.GenesisHash,
            Hash: "");

        var text = System.Text.Encoding.UTF8.GetString(AuditEntryHasher.GetCanonicalBytes(entry));

        Assert.Equal(
            "{\"details\":{\"keyVersion\":\"2\",\"scope\":\"tax\"},\"kind\":\"key.shredded\",\"previousHash\":\"" + AuditEntryHasher.GenesisHash
            + "\",\"sequence\":7,\"subject\":\"cHNldWRvbnltLTE\",\"timestamp\":\"2026-03-02T10:00:00.0000000Z\"}",
            text);
    }

    private static async Task<(AuditTrail Trail, InMemoryAuditStore Store)> CreateWithEntriesAsync(int count)
    {
        var store = new InMemoryAuditStore();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        var trail = new AuditTrail(store, time);
        for (var i = 1; i <= count; i++)
        {
            await trail.AppendAsync([Event(i)]);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        return (trail, store);
    }

    private static AuditEvent Event(int i)
        => new(AuditKinds.KeyShredded, Someone, new Dictionary<string, string> { ["scope"] = "marketing", ["keyVersion"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
}
