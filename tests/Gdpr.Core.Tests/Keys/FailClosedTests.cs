using Gdpr.Encryption.Infrastructure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;
using Moq;

namespace Gdpr.Core.Tests.Keys;

/// <summary>
/// When the key store or the KEK provider fails, nothing is encrypted, nothing reads as erased, and the error
/// says so without personal data (Art. 32(1)(b): ongoing confidentiality and integrity).
/// </summary>
public class FailClosedTests
{
    private const string Subject = "cust-failclosed-3141";
    private static readonly FieldAddress Email = new(Subject, "default", "Customer.Email");

    [Fact]
    public async Task EncryptAsync_StoreThrowsOnRead_ThrowsKeyUnavailableAndReturnsNothing()
    {
        var store = new Mock<ISubjectKeyStore>(MockBehavior.Strict).WithoutStartupChecks();
        store.Setup(s => s.GetStateAsync(It.IsAny<SubjectPseudonym>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("connection refused"));
        await using var host = GdprTestHost.Create(store: store.Object);

        byte[]? envelope = null;
        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(async () => envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org"));

        Assert.Null(envelope);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Contains("default", ex.Message, StringComparison.Ordinal);
        AssertNoPersonalData(host, ex);
        Assert.False(host.Encryptor.TryEncrypt(Email, new byte[1], new byte[200], out _));
        Assert.Equal(0, host.Cache.Count);
    }

    [Fact]
    public async Task EncryptAsync_StoreThrowsOnAdd_ThrowsKeyUnavailable()
    {
        var store = new Mock<ISubjectKeyStore>(MockBehavior.Strict).WithoutStartupChecks();
        store.Setup(s => s.GetStateAsync(It.IsAny<SubjectPseudonym>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SubjectKeyState(null, 0));
        store.Setup(s => s.AddKeyAsync(It.IsAny<WrappedSubjectKey>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("timed out"));
        await using var host = GdprTestHost.Create(store: store.Object);

        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(async () => await host.Encryptor.EncryptAsync(Email, new byte[] { 1, 2, 3 }));

        Assert.IsType<TimeoutException>(ex.InnerException);
        AssertNoPersonalData(host, ex);
        Assert.Equal(0, host.Cache.Count); // nothing half-created was cached
    }

    [Fact]
    public async Task DecryptAsync_StoreDown_ThrowsKeyUnavailable_NeverReadsAsErased()
    {
        var inner = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        byte[] envelope;
        await using (var writer = GdprTestHost.Create(store: inner, kek: kek))
        {
            envelope = await writer.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        }

        var down = new Mock<ISubjectKeyStore>(MockBehavior.Strict).WithoutStartupChecks();
        down.Setup(s => s.GetStateAsync(It.IsAny<SubjectPseudonym>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("down"));
        await using var reader = GdprTestHost.Create(store: down.Object, kek: kek);

        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await reader.Encryptor.DecryptValueAsync<string>(Email, envelope));
        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await reader.Encryptor.PrepareAsync(Subject, "default", forWriting: false));
        Assert.Equal(FieldReadStatus.KeyNotCached, reader.Encryptor.TryDecrypt(Email, envelope, new byte[envelope.Length], out _));
    }

    [Fact]
    public async Task EncryptAsync_KekProviderFails_ThrowsKeyUnavailable()
    {
        var kek = new Mock<IKeyEncryptionKeyProvider>(MockBehavior.Strict);
        kek.Setup(k => k.GetActiveKeyIdAsync(It.IsAny<CancellationToken>())).ReturnsAsync("kms-key-1");
        kek.Setup(k => k.WrapAsync("kms-key-1", It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("KMS unreachable"));
        await using var host = GdprTestHost.Create(kek: kek.Object);

        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(async () => await host.Encryptor.EncryptValueAsync(Email, "jan@example.org"));

        AssertNoPersonalData(host, ex);
        Assert.Equal(0, ((InMemorySubjectKeyStore)host.Store).Count); // no key stored that nothing can unwrap
    }

    [Fact]
    public async Task DecryptAsync_RetiredKek_ThrowsKeyUnavailable()
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();
        await using var host = GdprTestHost.Create(store: store, kek: kek);
        var envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        var old = await kek.GetActiveKeyIdAsync();
        await kek.CreateKeyAsync();
        await kek.RetireKeyAsync(old); // retired without rewrapping (an operator error)
        ((Gdpr.Keys.Infrastructure.ISubjectKeyCache)host.Keys).Evict(host.Keys.GetPseudonym(Subject));

        var ex = await Assert.ThrowsAsync<KeyUnavailableException>(async () => await host.Encryptor.DecryptValueAsync<string>(Email, envelope));
        AssertNoPersonalData(host, ex);

        // A restart with the KEK still missing does not start at all, and names it.
        await using var restarted = GdprTestHost.Create(store: store, kek: kek);
        var missing = await Assert.ThrowsAsync<MissingKeyEncryptionKeysException>(async () => await restarted.Encryptor.DecryptValueAsync<string>(Email, envelope));
        Assert.Equal([old], missing.MissingKeyIds);
        AssertNoPersonalData(restarted, missing);
    }

    [Fact]
    public async Task ShredAsync_StoreThrows_ThrowsKeyUnavailable()
    {
        var store = new Mock<ISubjectKeyStore>();
        store.Setup(s => s.ShredAsync(It.IsAny<SubjectPseudonym>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("down"));
        await using var host = GdprTestHost.Create(store: store.Object);

        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await host.Keys.ShredAsync(Subject, "default"));
    }

    [Fact]
    public async Task EncryptAsync_Cancelled_ThrowsOperationCanceled_NotKeyUnavailable()
    {
        await using var host = GdprTestHost.Create();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await host.Encryptor.EncryptValueAsync(Email, "x", cts.Token));
    }

    private static void AssertNoPersonalData(GdprTestHost host, Exception ex)
    {
        foreach (var text in host.AllLogText().Append(ex.Message).Append(ex.ToString()))
        {
            Assert.DoesNotContain(Subject, text, StringComparison.Ordinal);
            Assert.DoesNotContain("jan@example.org", text, StringComparison.Ordinal);
        }
    }
}
