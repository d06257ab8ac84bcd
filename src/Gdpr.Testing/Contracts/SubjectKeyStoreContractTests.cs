using System.Security.Cryptography;
using Gdpr.Keys;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="ISubjectKeyStore"/> contract as xunit tests. Derive from it in your test project and return your
/// store from <see cref="CreateStore"/>; every test then runs against it. The SDK's own stores (in memory, EF Core on
/// SQLite and on PostgreSQL) run the same class.
/// </summary>
/// <remarks>
/// <para>xunit creates one instance of the class per test, and each test asks for the store once: return a fresh
/// store or a shared one, since every test uses subjects of its own (random pseudonyms) and so never meets another's.
/// To skip when the store cannot be reached (a database that is not configured), call <c>Skip.If</c> from
/// <see cref="CreateStore"/> with the reason: the tests are <see cref="SkippableFactAttribute"/>s and report SKIPPED.</para>
/// <para>Dispose what the store needs in your subclass (implement <see cref="IDisposable"/> there).</para>
/// </remarks>
public abstract class SubjectKeyStoreContractTests
{
    /// <summary>The scope the tests use where the scope does not matter.</summary>
    protected const string Scope = "default";

    /// <summary>The creation time the tests' keys carry.</summary>
    protected static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private readonly Lock _createLock = new();
    private ISubjectKeyStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected ISubjectKeyStore Store
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

    /// <summary>Creates (or returns) the store under test.</summary>
    /// <returns>The store.</returns>
    protected abstract ISubjectKeyStore CreateStore();

    /// <summary>An unknown subject has neither a key nor a shredded version.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetState_UnknownSubject_HasNoKeyAndNoShreddedVersion()
    {
        var state = await Store.GetStateAsync(NewPseudonym(), Scope);

        Assert.Null(state.Key);
        Assert.Equal(0, state.LastShreddedVersion);
    }

    /// <summary>A stored key reads back with the same subject, scope, version, KEK, bytes and creation time.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKey_NewSubject_IsReadBackUnchanged()
    {
        var key = NewKey(NewPseudonym());

        var stored = await Store.AddKeyAsync(key);
        var state = await Store.GetStateAsync(key.Subject, Scope);

        AssertSameKey(key, stored);
        AssertSameKey(key, state.Key);
        Assert.Equal(CreatedAt, state.Key!.CreatedAt);
        Assert.Equal(0, state.LastShreddedVersion);
    }

    /// <summary>At most one live key per (subject, scope): a second add returns the first key.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKey_WhenALiveKeyExists_ReturnsTheExistingKey()
    {
        var subject = NewPseudonym();
        var first = NewKey(subject);
        var second = NewKey(subject);

        await Store.AddKeyAsync(first);
        var kept = await Store.AddKeyAsync(second);

        AssertSameKey(first, kept);
        AssertSameKey(first, (await Store.GetStateAsync(subject, Scope)).Key);
    }

    /// <summary>Writers creating the first key of a subject at once all get the one key the store keeps.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKey_ConcurrentFirstWriters_ConvergeOnOneKey()
    {
        var subject = NewPseudonym();
        var candidates = Enumerable.Range(0, 8).Select(_ => NewKey(subject)).ToList();
        var store = Store;
        using var start = new ManualResetEventSlim();

        var writers = candidates.Select(k => Task.Run(async () =>
        {
            start.Wait();
            return await store.AddKeyAsync(k);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(writers);

        var kept = (await Store.GetStateAsync(subject, Scope)).Key;
        Assert.NotNull(kept);
        Assert.Contains(candidates, c => c.WrappedKey.Span.SequenceEqual(kept.WrappedKey.Span));
        Assert.All(results, r => AssertSameKey(kept, r));
    }

    /// <summary>Shredding removes the key and records a tombstone with the version and time (GDPR Art. 17(1)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Shred_LiveKey_RemovesItAndRecordsTombstone_Art17()
    {
        var subject = NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject));
        var at = CreatedAt.AddDays(3);

        var tombstone = await Store.ShredAsync(subject, Scope, at);

        Assert.Equal(new KeyTombstone(subject, Scope, 1, at), tombstone);
        var state = await Store.GetStateAsync(subject, Scope);
        Assert.Null(state.Key);
        Assert.Equal(1, state.LastShreddedVersion);
        Assert.Equal([tombstone!], await ToListAsync(Store.GetTombstonesAsync(subject)));
        Assert.Empty(await ToListAsync(Store.GetScopesAsync(subject)));
    }

    /// <summary>Shredding a scope with no live key returns null and records no second tombstone.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Shred_NoLiveKey_ReturnsNullAndRecordsNothing()
    {
        var subject = NewPseudonym();
        Assert.Null(await Store.ShredAsync(subject, Scope, CreatedAt));

        await Store.AddKeyAsync(NewKey(subject));
        Assert.NotNull(await Store.ShredAsync(subject, Scope, CreatedAt));
        Assert.Null(await Store.ShredAsync(subject, Scope, CreatedAt));

        Assert.Single(await ToListAsync(Store.GetTombstonesAsync(subject)));
    }

    /// <summary>Shredding one scope leaves the subject's other scopes and other subjects alone (GDPR Art. 17(3)(b)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Shred_OneScope_KeepsTheOtherScopesAndSubjects_Art17_3b()
    {
        var subject = NewPseudonym();
        var other = NewPseudonym();
        var tax = await Store.AddKeyAsync(NewKey(subject, scope: "tax-7y"));
        await Store.AddKeyAsync(NewKey(subject, scope: "marketing"));
        var othersKey = await Store.AddKeyAsync(NewKey(other, scope: "marketing"));

        await Store.ShredAsync(subject, "marketing", CreatedAt);

        AssertSameKey(tax, (await Store.GetStateAsync(subject, "tax-7y")).Key);
        AssertSameKey(othersKey, (await Store.GetStateAsync(other, "marketing")).Key);
        Assert.Empty(await ToListAsync(Store.GetTombstonesAsync(other)));
        Assert.Equal(0, (await Store.GetStateAsync(subject, "tax-7y")).LastShreddedVersion);
    }

    /// <summary>A destroyed key version never comes back; the next key takes the next version.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKey_AfterShred_TakesTheNextVersionAndRefusesTheShreddedOne()
    {
        var subject = NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject));
        await Store.ShredAsync(subject, Scope, CreatedAt);

        // A destroyed version must never come back: values written under it must stay erased (GDPR Art. 17(1)).
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.AddKeyAsync(NewKey(subject, version: 1)));
        var second = NewKey(subject, version: 2);
        AssertSameKey(second, await Store.AddKeyAsync(second));

        var state = await Store.GetStateAsync(subject, Scope);
        Assert.Equal(2, state.Key!.Version);
        Assert.Equal(1, state.LastShreddedVersion);

        await Store.ShredAsync(subject, Scope, CreatedAt.AddDays(1));
        Assert.Equal([1, 2], (await ToListAsync(Store.GetTombstonesAsync(subject))).Select(t => t.Version).Order());
        Assert.Equal(2, (await Store.GetStateAsync(subject, Scope)).LastShreddedVersion);
    }

    /// <summary>Rewrapping a key whose stored wrapping is the one read replaces the KEK id and the bytes.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ReplaceWrapping_CurrentKeyMatches_ReplacesKekAndBytes()
    {
        var key = await Store.AddKeyAsync(NewKey(NewPseudonym(), kek: "kek-old"));
        var rewrapped = key with { KeyEncryptionKeyId = "kek-new", WrappedKey = RandomNumberGenerator.GetBytes(96) };

        Assert.True(await Store.ReplaceWrappingAsync(key, rewrapped));

        AssertSameKey(rewrapped, (await Store.GetStateAsync(key.Subject, Scope)).Key);
        Assert.DoesNotContain(await ToListAsync(Store.GetKeysWrappedWithAsync("kek-old")), k => k.Subject == key.Subject);
        Assert.Contains(await ToListAsync(Store.GetKeysWrappedWithAsync("kek-new")), k => k.Subject == key.Subject);
    }

    /// <summary>Rewrapping is a compare-and-swap: a stale or shredded key is not rewrapped.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ReplaceWrapping_KeyRewrappedOrShreddedMeanwhile_ReturnsFalseAndChangesNothing()
    {
        var key = await Store.AddKeyAsync(NewKey(NewPseudonym(), kek: "kek-old"));
        var first = key with { KeyEncryptionKeyId = "kek-new", WrappedKey = RandomNumberGenerator.GetBytes(96) };
        var stale = key with { KeyEncryptionKeyId = "kek-other", WrappedKey = RandomNumberGenerator.GetBytes(96) };
        Assert.True(await Store.ReplaceWrappingAsync(key, first));

        // Compare-and-swap on the KEK id: a second rotation that read the old wrapping loses.
        Assert.False(await Store.ReplaceWrappingAsync(key, stale));
        AssertSameKey(first, (await Store.GetStateAsync(key.Subject, Scope)).Key);

        // A shredded key must not be brought back by a rotation that read it before the shred.
        await Store.ShredAsync(key.Subject, Scope, CreatedAt);
        Assert.False(await Store.ReplaceWrappingAsync(first, first with { KeyEncryptionKeyId = "kek-late" }));
        Assert.Null((await Store.GetStateAsync(key.Subject, Scope)).Key);
    }

    /// <summary>The live scopes of one subject are listed, not shredded ones nor other subjects'.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetScopes_ListsTheLiveScopesOfThatSubjectOnly()
    {
        var subject = NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject, scope: "tax-7y"));
        await Store.AddKeyAsync(NewKey(subject, scope: "marketing"));
        await Store.AddKeyAsync(NewKey(subject, scope: "support"));
        await Store.AddKeyAsync(NewKey(NewPseudonym(), scope: "other-subject"));
        await Store.ShredAsync(subject, "marketing", CreatedAt);

        var scopes = await ToListAsync(Store.GetScopesAsync(subject));

        Assert.Equal(["support", "tax-7y"], scopes.Order());
    }

    /// <summary>KEK rotation finds every live key of one KEK, and only those.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetKeysWrappedWith_ListsEveryLiveKeyOfThatKekOnly()
    {
        var kek = "kek-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var mine = new List<WrappedSubjectKey>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add(await Store.AddKeyAsync(NewKey(NewPseudonym(), scope: "s" + i, kek: kek)));
        }

        await Store.AddKeyAsync(NewKey(NewPseudonym(), kek: kek + "-other"));
        await Store.ShredAsync(mine[3].Subject, mine[3].Scope, CreatedAt);

        var listed = await ToListAsync(Store.GetKeysWrappedWithAsync(kek));

        Assert.Equal(
            mine.Where((_, i) => i != 3).Select(k => (k.Subject.Value, k.Scope)).Order(),
            listed.Select(k => (k.Subject.Value, k.Scope)).Order());
        Assert.All(listed, k => AssertSameKey(mine.Single(m => m.Subject == k.Subject), k));
    }

    /// <summary>
    /// One batch mixing a new pair, a pair with a live key and a pair whose key was shredded: the new keys are
    /// stored, the live key is returned in place of the candidate, and the results come in the order of the input.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKeys_MixedBatch_StoresNewKeysKeepsLiveOnesInInputOrder()
    {
        var fresh = NewKey(NewPseudonym());
        var liveSubject = NewPseudonym();
        var live = await Store.AddKeyAsync(NewKey(liveSubject, scope: "support"));
        var shreddedSubject = NewPseudonym();
        await Store.AddKeyAsync(NewKey(shreddedSubject));
        await Store.ShredAsync(shreddedSubject, Scope, CreatedAt);
        var afterShred = NewKey(shreddedSubject, version: 2);
        var fresh2 = NewKey(NewPseudonym(), scope: "tax-7y");
        WrappedSubjectKey[] batch = [fresh, NewKey(liveSubject, scope: "support"), afterShred, fresh2];

        var kept = await Store.AddKeysAsync(batch);

        Assert.Equal(batch.Length, kept.Count);
        AssertSameKey(fresh, kept[0]);
        AssertSameKey(live, kept[1]);
        AssertSameKey(afterShred, kept[2]);
        AssertSameKey(fresh2, kept[3]);
        AssertSameKey(fresh, (await Store.GetStateAsync(fresh.Subject, Scope)).Key);
        AssertSameKey(live, (await Store.GetStateAsync(liveSubject, "support")).Key);
        var shredded = await Store.GetStateAsync(shreddedSubject, Scope);
        AssertSameKey(afterShred, shredded.Key);
        Assert.Equal(1, shredded.LastShreddedVersion);
        AssertSameKey(fresh2, (await Store.GetStateAsync(fresh2.Subject, "tax-7y")).Key);
    }

    /// <summary>A batch never revives a shredded key version (GDPR Art. 17(1)): it is refused.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKeys_ShreddedVersionInBatch_IsRefusedAndNotRevived_Art17()
    {
        var subject = NewPseudonym();
        await Store.AddKeyAsync(NewKey(subject));
        await Store.ShredAsync(subject, Scope, CreatedAt);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.AddKeysAsync([NewKey(NewPseudonym()), NewKey(subject, version: 1)]));

        var state = await Store.GetStateAsync(subject, Scope);
        Assert.Null(state.Key);
        Assert.Equal(1, state.LastShreddedVersion);
    }

    /// <summary>An empty batch returns an empty list.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKeys_EmptyBatch_ReturnsEmpty()
    {
        Assert.Empty(await Store.AddKeysAsync([]));
        Assert.Empty(await Store.GetStatesAsync([]));
    }

    /// <summary>
    /// A batch that names one pair twice (callers should not, the contract allows one key per pair) either is refused
    /// with <see cref="ArgumentException"/> before anything of that pair is stored, or converges on one key that both
    /// positions return.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKeys_DuplicatePairInBatch_ConvergesOnOneKeyOrIsRefused()
    {
        var subject = NewPseudonym();
        var first = NewKey(subject);
        var second = NewKey(subject);

        IReadOnlyList<WrappedSubjectKey> kept;
        try
        {
            kept = await Store.AddKeysAsync([first, second]);
        }
        catch (ArgumentException)
        {
            Assert.Null((await Store.GetStateAsync(subject, Scope)).Key);
            return;
        }

        Assert.Equal(2, kept.Count);
        var stored = (await Store.GetStateAsync(subject, Scope)).Key;
        Assert.NotNull(stored);
        Assert.True(stored.WrappedKey.Span.SequenceEqual(first.WrappedKey.Span) || stored.WrappedKey.Span.SequenceEqual(second.WrappedKey.Span));
        AssertSameKey(stored, kept[0]);
        AssertSameKey(stored, kept[1]);
    }

    /// <summary>
    /// Batches over overlapping pairs, run at once and in opposite orders, converge on one key per pair, and every
    /// batch returns the key the store keeps.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddKeys_ConcurrentOverlappingBatches_ConvergeOnOneKeyPerPair()
    {
        var subjects = Enumerable.Range(0, 9).Select(_ => NewPseudonym()).ToList();
        var batches = new List<WrappedSubjectKey[]>
        {
            subjects.Take(6).Select(s => NewKey(s)).ToArray(),
            subjects.Skip(3).Select(s => NewKey(s)).Reverse().ToArray(),
            subjects.Select(s => NewKey(s)).ToArray(),
            subjects.Where((_, i) => i % 2 == 0).Select(s => NewKey(s)).Reverse().ToArray(),
        };
        var store = Store;
        using var start = new ManualResetEventSlim();

        var writers = batches.Select(b => Task.Run(async () =>
        {
            start.Wait();
            return await store.AddKeysAsync(b);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(writers);

        var states = await Store.GetStatesAsync(subjects.Select(s => (s, Scope)).ToList());
        for (var b = 0; b < batches.Count; b++)
        {
            Assert.Equal(batches[b].Length, results[b].Count);
            for (var i = 0; i < batches[b].Length; i++)
            {
                Assert.Equal(batches[b][i].Subject, results[b][i].Subject);
                AssertSameKey(states[subjects.IndexOf(batches[b][i].Subject)].Key, results[b][i]);
            }
        }

        for (var s = 0; s < subjects.Count; s++)
        {
            var kept = states[s].Key;
            Assert.NotNull(kept);
            Assert.Contains(batches.SelectMany(b => b), c => c.WrappedKey.Span.SequenceEqual(kept.WrappedKey.Span));
        }
    }

    /// <summary>States of many pairs come in the order asked, each as <see cref="ISubjectKeyStore.GetStateAsync"/> gives it.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetStates_MixedPairs_AnswersEachInInputOrder()
    {
        var live = await Store.AddKeyAsync(NewKey(NewPseudonym()));
        var unknown = NewPseudonym();
        var shredded = NewPseudonym();
        await Store.AddKeyAsync(NewKey(shredded, scope: "marketing"));
        await Store.ShredAsync(shredded, "marketing", CreatedAt);
        var otherScope = await Store.AddKeyAsync(NewKey(live.Subject, scope: "support"));

        var states = await Store.GetStatesAsync([(unknown, Scope), (live.Subject, Scope), (shredded, "marketing"), (live.Subject, "support"), (live.Subject, Scope)]);

        Assert.Equal(5, states.Count);
        Assert.Equal(new SubjectKeyState(null, 0), states[0]);
        AssertSameKey(live, states[1].Key);
        Assert.Equal(0, states[1].LastShreddedVersion);
        Assert.Null(states[2].Key);
        Assert.Equal(1, states[2].LastShreddedVersion);
        AssertSameKey(otherScope, states[3].Key);
        AssertSameKey(live, states[4].Key);
    }

    /// <summary>Creates a new key for a subject with random wrapped bytes.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The scope.</param>
    /// <param name="version">The key version.</param>
    /// <param name="kek">The KEK id.</param>
    /// <returns>The key.</returns>
    protected static WrappedSubjectKey NewKey(SubjectPseudonym subject, string scope = Scope, int version = 1, string kek = "kek-a")
        => new(subject, scope, version, kek, RandomNumberGenerator.GetBytes(96), CreatedAt);

    /// <summary>A fresh random pseudonym in the shape the engine produces (base64url of 32 bytes).</summary>
    /// <returns>The pseudonym.</returns>
    protected static SubjectPseudonym NewPseudonym() => TestData.NewPseudonym();

    /// <summary>Reads an asynchronous sequence into a list.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The sequence.</param>
    /// <returns>The items.</returns>
    protected static Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source) => TestData.ToListAsync(source);

    /// <summary>Asserts that two keys have the same subject, scope, version, KEK id and wrapped bytes.</summary>
    /// <param name="expected">The expected key.</param>
    /// <param name="actual">The key read.</param>
    protected static void AssertSameKey(WrappedSubjectKey? expected, WrappedSubjectKey? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal((expected.Subject, expected.Scope, expected.Version, expected.KeyEncryptionKeyId), (actual.Subject, actual.Scope, actual.Version, actual.KeyEncryptionKeyId));
        Assert.Equal(expected.WrappedKey.ToArray(), actual.WrappedKey.ToArray());
    }
}
