using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Keys;

/// <summary>
/// KEK rotation rewraps live data keys without touching field ciphertext, and retiring the old KEK is what carries
/// an erasure into old backups (Art. 17, Art. 5(1)(e)).
/// </summary>
public class KekRotationTests
{
    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task RotateKeyEncryptionKeyAsync_KeepsEverythingReadable_AndRetiresTheOldKek(FieldEncryptionAlgorithm algorithm)
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(algorithm, store: store, kek: kek);
        var oldKekId = await kek.GetActiveKeyIdAsync();

        var written = new List<(FieldAddress Field, byte[] Envelope, string Value)>();
        for (var i = 0; i < 12; i++)
        {
            foreach (var scope in new[] { "default", "marketing" })
            {
                var field = new FieldAddress($"cust-{i}", scope, "Customer.Email");
                var value = $"value-{i}-{scope}";
                written.Add((field, await host.Encryptor.EncryptValueAsync(field, value), value));
            }
        }

        var shredded = written.Where(w => w.Field.SubjectId == "cust-3").ToList();
        await host.Keys.ShredAsync("cust-3", "default");
        await host.Keys.ShredAsync("cust-3", "marketing");
        var envelopesBefore = written.Select(w => (byte[])w.Envelope.Clone()).ToList();

        var result = await host.Keys.RotateKeyEncryptionKeyAsync();

        Assert.NotEqual(oldKekId, result.NewKeyId);
        Assert.Equal([oldKekId], result.RetiredKeyIds);
        Assert.Equal(22, result.RewrappedKeys);
        Assert.Equal(result.NewKeyId, await kek.GetActiveKeyIdAsync());
        Assert.Equal([result.NewKeyId], await kek.GetKeyIdsAsync());
        Assert.Empty(await store.GetKeysWrappedWithAsync(oldKekId).ToListAsync());
        Assert.Equal(22, (await store.GetKeysWrappedWithAsync(result.NewKeyId).ToListAsync()).Count);

        // Field ciphertext was not touched (nothing to rewrite in the database) ...
        Assert.Equal(envelopesBefore, written.Select(w => w.Envelope));

        // ... it is readable with the cache warm ...
        await AssertReadableAsync(host, written, shredded);

        // ... and after the cache is gone: a fresh host on the same store and key ring unwraps under the new KEK.
        await using var restarted = GdprTestHost.Create(algorithm, store: store, kek: kek);
        await AssertReadableAsync(restarted, written, shredded);

        // New keys are wrapped under the new KEK.
        await restarted.Encryptor.EncryptValueAsync(new FieldAddress("cust-new", "default", "Customer.Email"), "new");
        var state = await store.GetStateAsync(restarted.Keys.GetPseudonym("cust-new"), "default");
        Assert.Equal(result.NewKeyId, state.Key!.KeyEncryptionKeyId);
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_RetiredKek_CannotUnwrapAnOldBackupOfAShreddedKey()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        var field = new FieldAddress("cust-backup", "default", "Customer.Email");
        await host.Encryptor.EncryptValueAsync(field, "jan@example.org");
        var pseudonym = host.Keys.GetPseudonym(field.SubjectId);

        // Last night's backup holds the wrapped key as it was.
        var backup = (await store.GetStateAsync(pseudonym, field.Scope)).Key!;
        var backupBytes = backup.WrappedKey.ToArray();
        var ad = SubjectKeyManager.GetWrappingAssociatedData(pseudonym, field.Scope, backup.Version);
        await kek.UnwrapAsync(backup.KeyEncryptionKeyId, backupBytes, ad, new byte[32]); // readable before

        await host.Keys.ShredAsync(field.SubjectId, field.Scope);
        await host.Keys.RotateKeyEncryptionKeyAsync();

        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(async () => await kek.UnwrapAsync(backup.KeyEncryptionKeyId, backupBytes, ad, new byte[32]));
        Assert.DoesNotContain(field.SubjectId, ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await kek.WrapAsync(backup.KeyEncryptionKeyId, new byte[32], ad));
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_WhileAFirstWriteIsStoringItsKey_TheNewKeyStaysReadable()
    {
        // The writer wrapped its new data key under the KEK that was active when it started; the rotation then
        // created a new KEK, found nothing to rewrap (the key was not stored yet) and retired the old one. The key
        // must not end up wrapped under a destroyed KEK: every value written with it would be lost on restart.
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        var addKey = store.GateBefore(SubjectKeyStoreCall.AddKey);
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        var field = new FieldAddress("cust-during-rotation", "default", "Customer.Email");

        var write = host.Encryptor.EncryptValueAsync(field, "jan@example.org").AsTask();
        await addKey.WaitForArrivalsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var rotation = await host.Keys.RotateKeyEncryptionKeyAsync();
        addKey.Open();
        var envelope = await write.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(rotation.NewKeyId, (await inner.GetStateAsync(host.Keys.GetPseudonym(field.SubjectId), field.Scope)).Key!.KeyEncryptionKeyId);
        await using var restarted = GdprTestHost.Create(store: inner, kek: kek);
        Assert.Equal("jan@example.org", (await restarted.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_WhileAReaderLoadsTheKey_TheReadSucceeds()
    {
        // The reader fetched the key wrapped under the old KEK; the rotation rewrapped it and retired that KEK
        // before the reader unwrapped. A rotation is routine maintenance: it must not fail reads in flight.
        var inner = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        var field = new FieldAddress("cust-read-during-rotation", "default", "Customer.Email");
        byte[] envelope;
        await using (var writer = GdprTestHost.Create(store: inner, kek: kek))
        {
            envelope = await writer.Encryptor.EncryptValueAsync(field, "jan@example.org");
        }

        var store = new FaultInjectingSubjectKeyStore(inner);
        var getState = store.GateAfter(SubjectKeyStoreCall.GetState);
        await using var reader = GdprTestHost.Create(store: store, kek: kek);
        var read = reader.Encryptor.DecryptValueAsync<string>(field, envelope).AsTask();
        await getState.WaitForArrivalsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await reader.Keys.RotateKeyEncryptionKeyAsync();
        getState.Open();

        Assert.Equal("jan@example.org", (await read.WaitAsync(TimeSpan.FromSeconds(10))).Value);
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_TwoAtOnce_LoseNoKey()
    {
        // A scheduled rotation and a manual one may overlap; neither may leave a key under a KEK the other retired.
        var store = new InMemorySubjectKeyStore();
        var gated = new FaultInjectingSubjectKeyStore(store);
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: gated, kek: kek);
        var written = new List<(FieldAddress Field, byte[] Envelope)>();
        for (var i = 0; i < 30; i++)
        {
            var field = new FieldAddress($"cust-{i}", "default", "Customer.Email");
            written.Add((field, await host.Encryptor.EncryptValueAsync(field, $"v{i}")));
        }

        // The second rotation is asked for while the first is half-way through its rewrapping.
        gated.Before(SubjectKeyStoreCall.ReplaceWrapping, _ => ValueTask.CompletedTask, times: 14);
        var halfWay = gated.GateBefore(SubjectKeyStoreCall.ReplaceWrapping);
        var firstRotation = Task.Run(async () => await host.Keys.RotateKeyEncryptionKeyAsync());
        await halfWay.WaitForArrivalsAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        var secondRotation = host.Keys.RotateKeyEncryptionKeyAsync().AsTask();
        halfWay.Open();
        var rotations = await Task.WhenAll(firstRotation, secondRotation).WaitAsync(TimeSpan.FromSeconds(10));

        var live = await kek.GetKeyIdsAsync();
        Assert.All(await store.GetKeysWrappedWithAsync(rotations[0].NewKeyId).Concat(store.GetKeysWrappedWithAsync(rotations[1].NewKeyId)).ToListAsync(), k => Assert.Contains(k.KeyEncryptionKeyId, live));
        await using var restarted = GdprTestHost.Create(store: store, kek: kek);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal($"v{i}", (await restarted.Encryptor.DecryptValueAsync<string>(written[i].Field, written[i].Envelope)).Value);
        }
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_Twice_KeepsEverythingReadable()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        var field = new FieldAddress("cust-twice", "default", "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(field, "jan@example.org");

        var first = await host.Keys.RotateKeyEncryptionKeyAsync();
        var second = await host.Keys.RotateKeyEncryptionKeyAsync();

        Assert.Equal([first.NewKeyId], second.RetiredKeyIds);
        Assert.Equal(1, second.RewrappedKeys);
        await using var restarted = GdprTestHost.Create(store: store, kek: kek);
        Assert.Equal("jan@example.org", (await restarted.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
    }

    [Fact]
    public async Task WrappedKey_MovedToAnotherSubject_DoesNotUnwrap()
    {
        await using var host = GdprTestHost.Create();
        await host.Encryptor.PrepareAsync("cust-a", "default", forWriting: true);
        var a = host.Keys.GetPseudonym("cust-a");
        var key = (await host.Store.GetStateAsync(a, "default")).Key!;
        var otherAd = SubjectKeyManager.GetWrappingAssociatedData(host.Keys.GetPseudonym("cust-b"), "default", key.Version);
        var otherVersionAd = SubjectKeyManager.GetWrappingAssociatedData(a, "default", key.Version + 1);

        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Kek.UnwrapAsync(key.KeyEncryptionKeyId, key.WrappedKey, otherAd, new byte[32]));
        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Kek.UnwrapAsync(key.KeyEncryptionKeyId, key.WrappedKey, otherVersionAd, new byte[32]));
    }

    [Fact]
    public async Task RetireKeyAsync_ActiveKek_IsRefused()
    {
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        var active = await kek.GetActiveKeyIdAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await kek.RetireKeyAsync(active));
        Assert.Equal([active], await kek.GetKeyIdsAsync());
    }

    private static async Task AssertReadableAsync(GdprTestHost host, List<(FieldAddress Field, byte[] Envelope, string Value)> written, List<(FieldAddress Field, byte[] Envelope, string Value)> shredded)
    {
        foreach (var (field, envelope, value) in written)
        {
            var result = await host.Encryptor.DecryptValueAsync<string>(field, envelope);
            if (shredded.Any(s => s.Field == field))
            {
                Assert.True(result.IsErased);
            }
            else
            {
                Assert.Equal(value, result.Value);
            }
        }
    }

}
