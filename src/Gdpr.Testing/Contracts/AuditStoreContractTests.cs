using System.Security.Cryptography;
using System.Text;
using Gdpr.Internal;
using Gdpr.Audit;
using Gdpr.Keys;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IAuditStore"/> contract as xunit tests: entries kept in order, never changed, appended only at the
/// next free sequence number (so two writers never both extend the chain). Derive from it and return an EMPTY store
/// from <see cref="CreateStore"/>: the trail is one sequence per store, so each test needs a store of its own.
/// </summary>
/// <remarks>
/// The audit trail is what lets the controller demonstrate what was erased and when (GDPR Art. 5(2), accountability;
/// Art. 17(1)). Call <c>Skip.If</c> from <see cref="CreateStore"/> to skip with a reason when the store cannot be reached.
/// </remarks>
public abstract class AuditStoreContractTests
{
    /// <summary>The time of the first entry the tests write.</summary>
    protected static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly Lock _createLock = new();
    private IAuditStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected IAuditStore Store
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

    /// <summary>Creates an empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract IAuditStore CreateStore();

    /// <summary>An empty trail has no last entry and reads nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task EmptyStore_HasNoLastEntryAndReadsNothing()
    {
        Assert.Null(await Store.GetLastAsync());
        Assert.Empty(await TestData.ToListAsync(Store.ReadAsync(1)));
    }

    /// <summary>Entries read back exactly as appended: every field, the details, a missing subject (GDPR Art. 5(2)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_FirstEntries_ReadBackUnchanged_Art5_2()
    {
        var entries = Entries(1, 3);

        Assert.True(await Store.TryAppendAsync(entries));

        var read = await TestData.ToListAsync(Store.ReadAsync(1));
        Assert.Equal(entries.Count, read.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            AssertSameEntry(entries[i], read[i]);
        }

        AssertSameEntry(entries[^1], await Store.GetLastAsync());
    }

    /// <summary>The store keeps hashes as given and never recomputes or "repairs" an entry, so tampering stays visible.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_KeepsTheGivenHashesAsTheyAre()
    {
        var entry = Entries(1, 1)[0] with { Hash = new string('f', 64) };

        Assert.True(await Store.TryAppendAsync([entry]));

        Assert.Equal(new string('f', 64), (await Store.GetLastAsync())!.Hash);
    }

    /// <summary>Appends chain on: a second batch at the next sequence number is stored after the first.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_NextSequence_AppendsAfterTheLast()
    {
        var first = Entries(1, 2);
        var second = Entries(3, 2, first[^1].Hash);

        Assert.True(await Store.TryAppendAsync(first));
        Assert.True(await Store.TryAppendAsync(second));

        Assert.Equal([1L, 2, 3, 4], (await TestData.ToListAsync(Store.ReadAsync(1))).Select(e => e.Sequence));
        Assert.Equal(4, (await Store.GetLastAsync())!.Sequence);
    }

    /// <summary>A batch whose first sequence is taken, or leaves a gap, is refused whole (GDPR Art. 5(2): no forged or lost entry).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_SequenceTakenOrGap_ReturnsFalseAndStoresNothing_Art5_2()
    {
        var first = Entries(1, 2);
        Assert.True(await Store.TryAppendAsync(first));

        Assert.False(await Store.TryAppendAsync(Entries(2, 2, first[0].Hash, kind: "forged")));
        Assert.False(await Store.TryAppendAsync(Entries(1, 1, kind: "forged")));
        Assert.False(await Store.TryAppendAsync(Entries(4, 1, first[^1].Hash, kind: "forged")));

        var read = await TestData.ToListAsync(Store.ReadAsync(1));
        Assert.Equal(2, read.Count);
        Assert.DoesNotContain(read, e => e.Kind == "forged");
    }

    /// <summary>A batch that does not start at 1 is refused by an empty store.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_EmptyStoreNotAtOne_ReturnsFalse()
    {
        Assert.False(await Store.TryAppendAsync(Entries(2, 1)));
        Assert.Null(await Store.GetLastAsync());
    }

    /// <summary>Writers appending the same sequence at once: exactly one wins, the trail holds only its entries.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryAppend_ConcurrentWritersOfOneSequence_ExactlyOneWins()
    {
        var candidates = Enumerable.Range(0, 6).Select(i => Entries(1, 2, kind: "writer-" + i)).ToList();
        var store = Store;
        using var start = new ManualResetEventSlim();

        var writers = candidates.Select(c => Task.Run(async () =>
        {
            start.Wait();
            return await store.TryAppendAsync(c);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(writers);

        var winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]);
        var read = await TestData.ToListAsync(Store.ReadAsync(1));
        Assert.Equal(2, read.Count);
        Assert.All(read, e => Assert.Equal("writer-" + winner, e.Kind));
    }

    /// <summary>Reading from a sequence number returns that entry and the rest, in order.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Read_FromSequence_ReturnsTheRestInOrder()
    {
        Assert.True(await Store.TryAppendAsync(Entries(1, 7)));

        Assert.Equal([4L, 5, 6, 7], (await TestData.ToListAsync(Store.ReadAsync(4))).Select(e => e.Sequence));
        Assert.Empty(await TestData.ToListAsync(Store.ReadAsync(8)));
    }

    /// <summary>Builds consecutive, chained entries (the hashes are stand-ins: a store does not check them).</summary>
    /// <param name="firstSequence">The first entry's sequence number.</param>
    /// <param name="count">How many entries.</param>
    /// <param name="previousHash">The hash the first entry links to; 64 zeros when omitted.</param>
    /// <param name="kind">The entries' kind.</param>
    /// <returns>The entries.</returns>
    protected static IReadOnlyList<AuditEntry> Entries(long firstSequence, int count, string? previousHash = null, string kind = AuditKinds.KeyShredded)
    {
        var entries = new List<AuditEntry>();
        var previous = previousHash ?? new string('0', 64);
        for (var i = 0; i < count; i++)
        {
            var sequence = firstSequence + i;
            var hash = Convert.ToHexStringLower(SHA256.HashData(StrictUtf8.Encoding.GetBytes(previous + sequence + kind)));
            SubjectPseudonym? subject = i % 2 == 0 ? TestData.NewPseudonym() : null;
            var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["scope"] = "marketing", ["version"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            entries.Add(new AuditEntry(sequence, Start.AddSeconds(sequence), kind, subject, details, previous, hash));
            previous = hash;
        }

        return entries;
    }

    /// <summary>Asserts that an entry was kept unchanged.</summary>
    /// <param name="expected">The entry appended.</param>
    /// <param name="actual">The entry read.</param>
    protected static void AssertSameEntry(AuditEntry expected, AuditEntry? actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        Assert.NotNull(actual);
        Assert.Equal((expected.Sequence, expected.Timestamp, expected.Kind, expected.Subject, expected.PreviousHash, expected.Hash), (actual.Sequence, actual.Timestamp, actual.Kind, actual.Subject, actual.PreviousHash, actual.Hash));
        Assert.Equal(expected.Details.OrderBy(d => d.Key, StringComparer.Ordinal), actual.Details.OrderBy(d => d.Key, StringComparer.Ordinal));
    }
}
