using System.Security.Cryptography;
using Gdpr.Core.Tests.DependencyInjection;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Keys;

/// <summary>
/// A key store remembers which pseudonym key and which key-encryption keys it was used with, and the engine refuses to
/// start without them: with another pseudonym key every subject would look new (exports miss data, erasures destroy
/// nothing, Art. 17(1)); with a KEK missing, data keys cannot be unwrapped and new data lands under another KEK.
/// </summary>
public sealed class StartupKeyChecksTests : IDisposable
{
    private static readonly FieldAddress Email = new("cust-startup-7", "default", "Customer.Email");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-startup-keys-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_WithAnotherPseudonymKey_FailsWithPseudonymKeyMismatch_NotAsTampering()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        byte[] envelope;
        await using (var first = GdprTestHost.Create(store: store, kek: kek))
        {
            envelope = await first.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        }

        var wrongKey = Enumerable.Repeat((byte)0x42, 32).ToArray();
        await using var second = GdprTestHost.Create(store: store, kek: kek, configure: o => o.PseudonymKey = wrongKey);

        var atStart = await Assert.ThrowsAsync<PseudonymKeyMismatchException>(() => InMemoryStoresTests.StartLikeAHostAsync(second.Services));
        var onUse = await Assert.ThrowsAsync<PseudonymKeyMismatchException>(async () => await second.Encryptor.DecryptValueAsync<string>(Email, envelope));
        await Assert.ThrowsAsync<PseudonymKeyMismatchException>(async () => await second.Keys.ShredAsync(Email.SubjectId, "default"));

        foreach (var ex in new[] { atStart, onUse })
        {
            Assert.Contains("pseudonym key", ex.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("differs from the one this key store was created with", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("tamper", ex.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("integrity", ex.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(wrongKey), ex.Message, StringComparison.Ordinal);
        }

        // Nothing was created under the wrong pseudonym, and the original key still works.
        Assert.Equal(1, store.Count);
        await using var third = GdprTestHost.Create(store: store, kek: kek);
        Assert.Equal("jan@example.org", (await third.Encryptor.DecryptValueAsync<string>(Email, envelope)).Value);
    }

    [Fact]
    public async Task FirstStart_StoresAKeyCheckValue_ThatIsNeitherTheKeyNorAPseudonym()
    {
        var store = new InMemorySubjectKeyStore();
        await using var host = GdprTestHost.Create(store: store);
        await InMemoryStoresTests.StartLikeAHostAsync(host.Services);

        var stored = await store.AddPseudonymKeyCheckAsync("probe");

        Assert.NotNull(stored);
        Assert.NotEqual("probe", stored); // the value of the first start is kept
        Assert.Equal(43, stored.Length); // base64url of an HMAC-SHA-256
        Assert.DoesNotContain(Convert.ToBase64String(GdprTestHost.PseudonymKey).TrimEnd('='), stored, StringComparison.Ordinal);
        Assert.NotEqual(host.Keys.GetPseudonym("gdpr.pseudonym-key-check.v1").Value, stored);
        var plain = Convert.ToBase64String(SHA256.HashData(GdprTestHost.PseudonymKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.NotEqual(plain, stored);
    }

    [Fact]
    public async Task Start_KeyRingFolderRemovedAfterDataWasWritten_FailsNamingTheMissingKeyEncryptionKey()
    {
        var store = new InMemorySubjectKeyStore();
        var ring = Path.Combine(_directory, "kek");
        string oldKekId;
        await using (var first = GdprTestHost.Create(store: store, gdpr: b => b.UseLocalKeyRing(ring)))
        {
            await first.Encryptor.EncryptValueAsync(Email, "jan@example.org");
            oldKekId = await first.Kek.GetActiveKeyIdAsync();
        }

        Directory.Delete(ring, recursive: true); // an unmounted volume, a folder moved by a deployment

        await using var second = GdprTestHost.Create(store: store, gdpr: b => b.UseLocalKeyRing(ring));
        var atStart = await Assert.ThrowsAsync<MissingKeyEncryptionKeysException>(() => InMemoryStoresTests.StartLikeAHostAsync(second.Services));
        var onUse = await Assert.ThrowsAsync<MissingKeyEncryptionKeysException>(async () => await second.Encryptor.EncryptValueAsync(new FieldAddress("cust-new", "default", "Customer.Email"), "new@example.org"));

        Assert.Equal([oldKekId], atStart.MissingKeyIds);
        Assert.Contains(oldKekId, onUse.Message, StringComparison.Ordinal);
        Assert.Contains("UseLocalKeyRing", onUse.Message, StringComparison.Ordinal);
        Assert.Equal([oldKekId], await store.GetKeyEncryptionKeyIdsInUseAsync()); // no key was written under the new KEK
    }

    [Fact]
    public async Task Start_AllKeyEncryptionKeysPresent_AfterARotation_Starts()
    {
        var store = new InMemorySubjectKeyStore();
        var ring = Path.Combine(_directory, "kek");
        await using (var first = GdprTestHost.Create(store: store, gdpr: b => b.UseLocalKeyRing(ring)))
        {
            await first.Encryptor.EncryptValueAsync(Email, "jan@example.org");
            await first.Keys.RotateKeyEncryptionKeyAsync();
        }

        await using var second = GdprTestHost.Create(store: store, gdpr: b => b.UseLocalKeyRing(ring));
        await InMemoryStoresTests.StartLikeAHostAsync(second.Services);
        Assert.Equal([await second.Kek.GetActiveKeyIdAsync()], await store.GetKeyEncryptionKeyIdsInUseAsync());
    }

    [Fact]
    public async Task Start_KeyStoreUnreachable_FailsClosedWithKeyUnavailable()
    {
        var down = new FaultInjectingSubjectKeyStore(new InMemorySubjectKeyStore());
        down.FailBefore(SubjectKeyStoreCall.GetKeyEncryptionKeyIdsInUse, () => new IOException("connection refused"), FaultInjectingSubjectKeyStore.EveryCall);
        await using var host = GdprTestHost.Create(store: down);

        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(() => InMemoryStoresTests.StartLikeAHostAsync(host.Services));
        Assert.IsType<IOException>(ex.InnerException);
    }

    [Fact]
    public async Task LocalKeyRing_NewFolder_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows protects the folder with ACLs, not Unix modes; CI runs on Linux.
        }

        var ring = Path.Combine(_directory, "nested", "kek");
        var signing = Path.Combine(_directory, "signing");
        await using var host = GdprTestHost.Create(gdpr: b => b.UseLocalKeyRing(ring).UseCertificateSigningKey(signing));
        await InMemoryStoresTests.StartLikeAHostAsync(host.Services);

        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(ring));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(signing));
    }
}
