using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

/// <summary>The local key ring on disk: survives restarts, owner-only files, retired keys deleted.</summary>
public sealed class LocalKeyRingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-keyring-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task UseLocalKeyRing_NewProviderOnTheSameFolder_ReadsEarlierValues()
    {
        var store = new InMemorySubjectKeyStore();
        var field = new FieldAddress("cust-disk", "default", "Customer.Email");
        byte[] envelope;
        string kekId;
        await using (var first = CreateHost(store))
        {
            envelope = await first.Encryptor.EncryptValueAsync(field, "jan@example.org");
            kekId = await first.Kek.GetActiveKeyIdAsync();
        }

        await using var second = CreateHost(store);

        Assert.Equal(kekId, await second.Kek.GetActiveKeyIdAsync());
        Assert.Equal("jan@example.org", (await second.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        Assert.Single(Directory.GetFiles(_directory, "*.kek"));
    }

    [Fact]
    public async Task UseLocalKeyRing_KeyFile_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows protects the folder with ACLs, not Unix modes; CI runs on Linux.
        }

        await using var host = CreateHost(new InMemorySubjectKeyStore());
        var id = await host.Kek.GetActiveKeyIdAsync();

        var file = Path.Combine(_directory, id + ".kek");
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(32, new FileInfo(file).Length);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task RotateKeyEncryptionKeyAsync_WithLocalKeyRing_DeletesTheRetiredKeyFile_AndStaysReadableAfterRestart()
    {
        var store = new InMemorySubjectKeyStore();
        var field = new FieldAddress("cust-disk-rotate", "default", "Customer.Email");
        byte[] envelope;
        KeyRotationResult result;
        string oldId;
        await using (var host = CreateHost(store))
        {
            envelope = await host.Encryptor.EncryptValueAsync(field, "jan@example.org");
            oldId = await host.Kek.GetActiveKeyIdAsync();
            result = await host.Keys.RotateKeyEncryptionKeyAsync();
        }

        Assert.False(File.Exists(Path.Combine(_directory, oldId + ".kek")));
        Assert.True(File.Exists(Path.Combine(_directory, result.NewKeyId + ".kek")));
        Assert.Equal(result.NewKeyId, File.ReadAllText(Path.Combine(_directory, "active")).Trim());

        await using var restarted = CreateHost(store);
        Assert.Equal(result.NewKeyId, await restarted.Kek.GetActiveKeyIdAsync());
        Assert.Equal([result.NewKeyId], await restarted.Kek.GetKeyIdsAsync());
        Assert.Equal("jan@example.org", (await restarted.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await restarted.Kek.UnwrapAsync(oldId, new byte[96], new byte[1], new byte[32]));
    }

    private GdprTestHost CreateHost(InMemorySubjectKeyStore store)
        => GdprTestHost.Create(store: store, gdpr: b => b.UseLocalKeyRing(_directory));
}
