using Gdpr.Encryption.Infrastructure;
using System.Collections.Concurrent;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Keys;

/// <summary>Many threads at once: never another subject's value, never an unexpected exception, one key per subject.</summary>
public class ConcurrencyTests
{
    private const string Scope = "default";

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task EncryptDecryptShred_ManyThreads_EveryReadIsRightOrErased(FieldEncryptionAlgorithm algorithm)
    {
        const int Tasks = 8;
        const int OperationsPerTask = 2_000;
        const int Subjects = 50;
        await using var host = GdprTestHost.Create(algorithm, configure: o => o.KeyCache.MaxEntries = 40); // smaller than the subject count: evictions race too
        var written = new ConcurrentDictionary<int, ConcurrentBag<(byte[] Envelope, string Value)>>();
        var unexpected = new ConcurrentQueue<string>();
        var counts = new int[4];
        using var start = new Barrier(Tasks);

        var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var random = new Random(1000 + t);
            start.SignalAndWait();
            for (var op = 0; op < OperationsPerTask; op++)
            {
                var subject = random.Next(Subjects);
                var field = new FieldAddress($"subject-{subject}", Scope, "Customer.Email");
                var roll = random.Next(100);
                try
                {
                    if (roll < 2)
                    {
                        await host.Keys.ShredAsync(field.SubjectId, Scope);
                        Interlocked.Increment(ref counts[0]);
                    }
                    else if (roll < 40)
                    {
                        var value = $"subject-{subject}:{t}:{op}";
                        written.GetOrAdd(subject, _ => []).Add((await host.Encryptor.EncryptValueAsync(field, value), value));
                        Interlocked.Increment(ref counts[1]);
                    }
                    else if (written.TryGetValue(subject, out var bag) && !bag.IsEmpty)
                    {
                        var (envelope, value) = bag.ElementAt(random.Next(bag.Count));
                        if (roll < 70)
                        {
                            var read = await host.Encryptor.DecryptValueAsync<string>(field, envelope);
                            if (!read.IsErased && read.Value != value)
                            {
                                unexpected.Enqueue($"async read of subject {subject} returned another value");
                            }
                        }
                        else
                        {
                            // The span API, as a materializer would use it: prepare, then the allocation-free path.
                            await host.Encryptor.PrepareAsync(field.SubjectId, Scope, forWriting: false);
                            var buffer = new byte[envelope.Length];
                            var status = host.Encryptor.TryDecrypt(field, envelope, buffer, out var length);
                            if (status == FieldReadStatus.Decrypted && System.Text.Encoding.UTF8.GetString(buffer, 0, length) != value)
                            {
                                unexpected.Enqueue($"span read of subject {subject} returned another value");
                            }
                        }

                        Interlocked.Increment(ref counts[2]);
                    }
                }
                catch (Exception ex)
                {
                    unexpected.Enqueue($"{ex.GetType().Name}: {ex.Message}{(ex is PersonalDataIntegrityException p ? " " + p.Failure : "")}");
                }
            }
        })).ToArray();

        await Task.WhenAll(workers);

        Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Distinct().Take(10)));
        Assert.True(counts[0] > 100 && counts[1] > 4_000 && counts[2] > 4_000, string.Join(",", counts));

        // Afterwards, every envelope reads as its own value or erased, and the newest key of each subject is live.
        foreach (var (subject, bag) in written)
        {
            var field = new FieldAddress($"subject-{subject}", Scope, "Customer.Email");
            foreach (var (envelope, value) in bag)
            {
                var read = await host.Encryptor.DecryptValueAsync<string>(field, envelope);
                Assert.True(read.IsErased || read.Value == value);
            }
        }

        Assert.True(host.Cache.Count <= 40);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(16, false)]
    [InlineData(2, true)]
    [InlineData(16, true)]
    public async Task FirstWrites_ForANewSubjectFromManyThreads_EndWithOneKeyAndAllValuesReadable(int threads, bool allReadBeforeAnyWrites)
    {
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        if (allReadBeforeAnyWrites)
        {
            // The widest race: every thread has read "no key" before any of them writes one.
            store.GateAfter(SubjectKeyStoreCall.GetState, times: threads).OpenWhenArrived(threads);
        }

        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        using var start = new Barrier(threads);

        var writes = Enumerable.Range(0, threads).Select(i => Task.Run(async () =>
        {
            var field = new FieldAddress("brand-new-subject", Scope, $"Customer.Field{i}");
            start.SignalAndWait();
            return (field, Envelope: await host.Encryptor.EncryptValueAsync(field, $"value {i}"), Value: $"value {i}");
        })).ToArray();
        var results = await Task.WhenAll(writes);

        Assert.Equal(1, inner.Count);
        var state = await inner.GetStateAsync(host.Keys.GetPseudonym("brand-new-subject"), Scope);
        Assert.Equal(1, state.Key!.Version);
        Assert.All(results, r => Assert.Equal(1, r.Envelope[5]));

        // Readable here and, independent of any cache, by a fresh host on the same store and key ring.
        await using var fresh = GdprTestHost.Create(store: inner, kek: kek);
        foreach (var (field, envelope, value) in results)
        {
            Assert.Equal(value, (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
            Assert.Equal(value, (await fresh.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        }
    }

    [Fact]
    public async Task FirstWrites_RacingWithAShred_NeverFailAndNeverLoseAReadableValue()
    {
        // A writer that read "no key" just before another writer created v1 and a third shredded it must not fail:
        // the shred is a legitimate concurrent erasure, not a broken key store. The gates put the calls in that order.
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        var reads = Enumerable.Range(0, 8).Select(_ => store.GateAfter(SubjectKeyStoreCall.GetState)).ToArray();
        await using var host = GdprTestHost.Create(store: store);
        const string Subject = "racing";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var field = new FieldAddress(Subject, Scope, $"Customer.Field{i}");
            return (field, Envelope: await host.Encryptor.EncryptValueAsync(field, $"value {i}"), Value: $"value {i}");
        })).ToArray();
        foreach (var read in reads)
        {
            await read.WaitForArrivalsAsync(1, timeout.Token);
        }

        // One writer goes on and creates v1; then v1 is shredded; then the other seven, who all read "no key", write.
        reads[0].Open();
        var first = await await Task.WhenAny(writers).WaitAsync(timeout.Token);
        await host.Keys.ShredAsync(Subject, Scope);
        foreach (var read in reads.Skip(1))
        {
            read.Open();
        }

        var results = await Task.WhenAll(writers).WaitAsync(timeout.Token);

        Assert.True((await host.Encryptor.DecryptValueAsync<string>(first.field, first.Envelope)).IsErased);
        foreach (var (field, envelope, value) in results.Where(r => r.field != first.field))
        {
            Assert.Equal(value, (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        }

        Assert.Equal(1, inner.Count);
        Assert.Equal(2, (await inner.GetStateAsync(host.Keys.GetPseudonym(Subject), Scope)).Key!.Version);
    }

    [Fact]
    public async Task KekRotations_DuringWritesAndReads_LoseNothing()
    {
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek, configure: o => o.KeyCache.MaxEntries = 10);
        var written = new ConcurrentBag<(FieldAddress Field, byte[] Envelope, string Value)>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            var op = 0;
            while (!stop.IsCancellationRequested)
            {
                // Mostly known subjects (reads and cache misses: the cache is smaller), some new (key creation).
                var subject = random.Next(40) is var n && n < 30 ? $"rot-{n}" : $"rot-new-{t}-{op}";
                var field = new FieldAddress(subject, random.Next(2) == 0 ? "default" : "marketing", "Customer.Email");
                try
                {
                    if (random.Next(2) == 0 || written.IsEmpty)
                    {
                        var value = $"{field.SubjectId}/{field.Scope}/{t}/{op++}";
                        written.Add((field, await host.Encryptor.EncryptValueAsync(field, value), value));
                    }
                    else
                    {
                        var (f, envelope, value) = written.ElementAt(random.Next(written.Count));
                        var read = await host.Encryptor.DecryptValueAsync<string>(f, envelope);
                        if (read.Value != value)
                        {
                            errors.Enqueue("read another value");
                        }
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        })).ToArray();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            // Each rotation runs while a reader holds a key state it read under the old KEK and a writer holds a
            // key it wrapped under the old KEK and has not stored yet: the two windows a rotation can lose a key in.
            var read = store.GateAfter(SubjectKeyStoreCall.GetState);
            var add = store.GateBefore(SubjectKeyStoreCall.AddKey);
            await Task.WhenAll(read.WaitForArrivalsAsync(1, timeout.Token), add.WaitForArrivalsAsync(1, timeout.Token));
            await host.Keys.RotateKeyEncryptionKeyAsync();
            read.Open();
            add.Open();
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.True(errors.IsEmpty, string.Join("\n", errors.Distinct().Take(10)));
        Assert.Single(await kek.GetKeyIdsAsync());
        Assert.Equal(inner.Count, (await inner.GetKeysWrappedWithAsync(await kek.GetActiveKeyIdAsync()).ToListAsync()).Count);

        // Nothing depends on the cache: a restarted host reads every value.
        await using var restarted = GdprTestHost.Create(store: inner, kek: kek);
        foreach (var (field, envelope, value) in written)
        {
            Assert.Equal(value, (await restarted.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        }
    }

    [Fact]
    public async Task AReaderOfANewKeyWrappedUnderAKekRetiredBeforeItsWriterRewrappedIt_WaitsForTheWriter_AndReadsIt()
    {
        // The window the 2026-12-03 CI run fell into: a writer wrapped a new key under K1, a rotation retired K1
        // before the key was stored (so it had nothing of K1 to rewrap), the writer stored it and had yet to rewrap it
        // under K2 when a second caller read that key. The second caller must wait for the writer, not fail.
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var field = new FieldAddress("new-subject", Scope, "Customer.Email");
        var beforeStore = store.GateBefore(SubjectKeyStoreCall.AddKey);
        var beforeRewrap = store.GateAfter(SubjectKeyStoreCall.AddKey);

        var writer = Task.Run(async () => await host.Encryptor.EncryptValueAsync(field, "first"));
        await beforeStore.WaitForArrivalsAsync(1, timeout.Token);
        await host.Keys.RotateKeyEncryptionKeyAsync(timeout.Token);
        beforeStore.Open();
        await beforeRewrap.WaitForArrivalsAsync(1, timeout.Token);
        Assert.Equal(1, inner.Count); // stored, still under the retired KEK

        var secondRead = store.GateAfter(SubjectKeyStoreCall.GetState);
        var second = Task.Run(async () => await host.Encryptor.EncryptValueAsync(field with { Field = "Customer.Phone" }, "second"));
        await secondRead.WaitForArrivalsAsync(1, timeout.Token);
        secondRead.Open();

        // Release the writer only once the second caller, unable to unwrap, waits for it (or has failed).
        var creations = ((SubjectKeyManager)host.Keys).Creations;
        while (creations.Waiting == 0 && !second.IsCompleted)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }

        beforeRewrap.Open();
        var envelopes = await Task.WhenAll(writer, second).WaitAsync(timeout.Token);

        Assert.Single(await kek.GetKeyIdsAsync());
        await using var restarted = GdprTestHost.Create(store: inner, kek: kek);
        Assert.Equal("first", (await restarted.Encryptor.DecryptValueAsync<string>(field, envelopes[0])).Value);
        Assert.Equal("second", (await restarted.Encryptor.DecryptValueAsync<string>(field with { Field = "Customer.Phone" }, envelopes[1])).Value);
    }

    [Fact]
    public async Task PrepareMany_TwoNodesBatchTheSameNewSubjectsAtOnce_EndWithOneKeyPerSubjectAndScope_UsableFromBothCaches()
    {
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        store.GateBefore(SubjectKeyStoreCall.AddKeys, times: 2).OpenWhenArrived(2);
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var first = GdprTestHost.Create(store: store, kek: kek);
        await using var second = GdprTestHost.Create(store: store, kek: kek);
        var keys = (from i in Enumerable.Range(0, 10) from scope in new[] { Scope, "marketing" } select ($"batch-subject-{i}", scope)).ToArray();

        // Both read "no key" before either writes: the second batch finds every key taken and must adopt them.
        await Task.WhenAll(
            Task.Run(async () => await Cached(first).PrepareManyAsync(keys, forWriting: true)),
            Task.Run(async () => await Cached(second).PrepareManyAsync(keys, forWriting: true)));

        Assert.Equal(keys.Length, inner.Count);
        Assert.Equal(2, store.CallCount(SubjectKeyStoreCall.AddKeys));
        foreach (var (subject, scope) in keys)
        {
            Assert.Equal(1, (await inner.GetStateAsync(first.Keys.GetPseudonym(subject), scope)).Key!.Version);

            // Cache only, both ways: each node holds the one key the store keeps.
            var field = new FieldAddress(subject, scope, "Customer.Email");
            var plaintext = "value"u8.ToArray();
            var envelope = new byte[first.Encryptor.GetEnvelopeLength(plaintext.Length)];
            Assert.True(first.Encryptor.TryEncrypt(field, plaintext, envelope, out _));
            var read = new byte[plaintext.Length];
            Assert.Equal(FieldReadStatus.Decrypted, second.Encryptor.TryDecrypt(field, envelope, read, out var length));
            Assert.Equal(plaintext, read[..length]);
        }
    }

    [Fact]
    public async Task PrepareMany_AnInvalidSubjectIdInTheBatch_CreatesNoKeyForAnyone()
    {
        var inner = new InMemorySubjectKeyStore();
        await using var host = GdprTestHost.Create(store: inner);

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await Cached(host).PrepareManyAsync([("valid-subject", Scope), (" ", Scope)], forWriting: true));

        Assert.Equal(0, inner.Count);
    }

    [Fact]
    public async Task PrepareMany_CachedKnownShreddedAndNewAtOnce_CachesEach_AndWritesUnderTheNextVersionAfterAShred()
    {
        var inner = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var writer = GdprTestHost.Create(store: inner, kek: kek);
        await writer.Encryptor.EncryptValueAsync(new FieldAddress("known", Scope, "F"), "k");
        await writer.Encryptor.EncryptValueAsync(new FieldAddress("shredded", Scope, "F"), "s");
        await writer.Keys.ShredAsync("shredded", Scope);

        await using var host = GdprTestHost.Create(store: inner, kek: kek);
        await host.Encryptor.EncryptValueAsync(new FieldAddress("cached", Scope, "F"), "c");
        await Cached(host).PrepareManyAsync([("cached", Scope), ("known", Scope), ("shredded", Scope), ("new", Scope)], forWriting: true);

        var versions = new Dictionary<string, int>();
        foreach (var subject in new[] { "cached", "known", "shredded", "new" })
        {
            var envelope = new byte[host.Encryptor.GetEnvelopeLength(1)];
            Assert.True(host.Encryptor.TryEncrypt(new FieldAddress(subject, Scope, "F"), "x"u8, envelope, out _), subject);
            versions[subject] = envelope[5];
        }

        Assert.Equal(new Dictionary<string, int> { ["cached"] = 1, ["known"] = 1, ["shredded"] = 2, ["new"] = 1 }, versions);
    }

    private static Gdpr.Encryption.Internal.ICachedFieldEncryptor Cached(GdprTestHost host)
        => (Gdpr.Encryption.Internal.ICachedFieldEncryptor)host.Encryptor;

}
