using Gdpr.Encryption.Infrastructure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

/// <summary>Crypto-shredding (GDPR Art. 17): destroying the key erases every copy, and erased reads are not errors.</summary>
public class ShredTests
{
    private const string Subject = "cust-shred-5501";
    private static readonly FieldAddress Email = new(Subject, "default", "Customer.Email");

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_AfterShred_Art17_ReturnsErasedNotAnException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        var number = await host.Encryptor.EncryptValueAsync(Email with { Field = "Customer.Number" }, 42);

        var tombstone = await host.Keys.ShredAsync(Subject, Email.Scope);

        Assert.NotNull(tombstone);
        var text = await host.Encryptor.DecryptValueAsync<string>(Email, envelope);
        Assert.True(text.IsErased);
        Assert.Null(text.Value);
        Assert.Equal("[erased]", text.GetValueOrReplacement("[erased]"));
        Assert.True((await host.Encryptor.DecryptValueAsync<int>(Email with { Field = "Customer.Number" }, number)).IsErased);
        Assert.True((await host.Encryptor.DecryptAsync(Email, envelope)).IsErased);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task TryDecrypt_AfterShredAndPrepare_ReturnsErased(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        var buffer = new byte[host.Encryptor.GetPlaintextLength(envelope)];
        Assert.Equal(FieldReadStatus.Decrypted, host.Encryptor.TryDecrypt(Email, envelope, buffer, out _));

        await host.Keys.ShredAsync(Subject, Email.Scope);

        // Shred evicted the key at once: the span API cannot use it any more.
        Assert.Equal(FieldReadStatus.KeyNotCached, host.Encryptor.TryDecrypt(Email, envelope, buffer, out _));
        Assert.False(host.Encryptor.TryEncrypt(Email, buffer, new byte[envelope.Length], out _));

        await host.Encryptor.PrepareAsync(Subject, Email.Scope, forWriting: false);
        Array.Clear(buffer);
        Assert.Equal(FieldReadStatus.Erased, host.Encryptor.TryDecrypt(Email, envelope, buffer, out var written));
        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.False(host.Encryptor.TryEncrypt(Email, buffer, new byte[envelope.Length], out _)); // no live key to write with
    }

    [Fact]
    public async Task ShredAsync_OneScope_LeavesOtherScopesAndSubjectsReadable()
    {
        await using var host = GdprTestHost.Create();
        var marketing = Email with { Scope = "marketing", Field = "Customer.Interests" };
        var fiscal = Email with { Scope = "fiscal-7y", Field = "Invoice.Address" };
        var other = Email with { SubjectId = "cust-other-1" };
        var m = await host.Encryptor.EncryptValueAsync(marketing, "cycling");
        var f = await host.Encryptor.EncryptValueAsync(fiscal, "Dorpsstraat 1");
        var o = await host.Encryptor.EncryptValueAsync(other, "other@example.org");

        await host.Keys.ShredAsync(Subject, "marketing");

        Assert.True((await host.Encryptor.DecryptValueAsync<string>(marketing, m)).IsErased);
        Assert.Equal("Dorpsstraat 1", (await host.Encryptor.DecryptValueAsync<string>(fiscal, f)).Value);
        Assert.Equal("other@example.org", (await host.Encryptor.DecryptValueAsync<string>(other, o)).Value);
        Assert.Equal(["fiscal-7y"], await host.Keys.GetScopesAsync(Subject).ToListAsync());
    }

    [Fact]
    public async Task ShredAsync_ThenWrite_CreatesKeyVersion2_OldStaysErasedNewReadable()
    {
        await using var host = GdprTestHost.Create();
        var store = (InMemorySubjectKeyStore)host.Store;
        var pseudonym = host.Keys.GetPseudonym(Subject);
        var old = await host.Encryptor.EncryptValueAsync(Email, "old@example.org");
        host.Time.Advance(TimeSpan.FromDays(3));

        var tombstone = await host.Keys.ShredAsync(Subject, Email.Scope);

        Assert.Equal(new KeyTombstone(pseudonym, Email.Scope, 1, host.Time.GetUtcNow()), tombstone);
        Assert.Null(await host.Keys.ShredAsync(Subject, Email.Scope)); // nothing left to destroy
        Assert.Equal(0, store.Count);
        var state = await store.GetStateAsync(pseudonym, Email.Scope);
        Assert.Null(state.Key);
        Assert.Equal(1, state.LastShreddedVersion);
        Assert.Equal([tombstone!], await store.GetTombstonesAsync(pseudonym).ToListAsync());

        var fresh = await host.Encryptor.EncryptValueAsync(Email, "new@example.org");

        Assert.Equal(new byte[] { 0, 0, 0, 2 }, fresh[2..6]);
        Assert.Equal(2, (await store.GetStateAsync(pseudonym, Email.Scope)).Key!.Version);
        Assert.True((await host.Encryptor.DecryptValueAsync<string>(Email, old)).IsErased);
        Assert.Equal("new@example.org", (await host.Encryptor.DecryptValueAsync<string>(Email, fresh)).Value);

        // Again: version 3, and both earlier generations stay erased.
        await host.Keys.ShredAsync(Subject, Email.Scope);
        var third = await host.Encryptor.EncryptValueAsync(Email, "third@example.org");
        Assert.Equal(3, third[5]);
        Assert.True((await host.Encryptor.DecryptAsync(Email, old)).IsErased);
        Assert.True((await host.Encryptor.DecryptAsync(Email, fresh)).IsErased);
        Assert.Equal("third@example.org", (await host.Encryptor.DecryptValueAsync<string>(Email, third)).Value);
        Assert.Equal([1, 2], (await store.GetTombstonesAsync(pseudonym).ToListAsync()).Select(t => t.Version).Order());
    }

    [Fact]
    public async Task ShredAsync_ByPseudonym_ErasesAndEvicts()
    {
        await using var host = GdprTestHost.Create();
        var envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");

        var tombstone = await host.Keys.ShredAsync(host.Keys.GetPseudonym(Subject), Email.Scope);

        Assert.NotNull(tombstone);
        Assert.False(host.Encryptor.TryEncrypt(Email, new byte[1], new byte[envelope.Length], out _));
        Assert.True((await host.Encryptor.DecryptAsync(Email, envelope)).IsErased);
    }

    [Fact]
    public async Task ShredAsync_CachedKey_IsWipedAtOnce()
    {
        await using var host = GdprTestHost.Create();
        await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        Assert.True(host.Cache.TryGet(Subject, Email.Scope, out var entry));

        await host.Keys.ShredAsync(Subject, Email.Scope);

        Assert.True(entry.IsDisposed);
        Assert.False(host.Cache.TryGet(Subject, Email.Scope, out _));
    }

    [Fact]
    public async Task ShredAsync_WhileAnOperationHoldsTheKey_WipesAtOnce_And_TheOperationCannotUseIt()
    {
        await using var host = GdprTestHost.Create();
        var envelope = await host.Encryptor.EncryptValueAsync(Email, "jan@example.org");
        Assert.True(host.Cache.TryGet(Subject, Email.Scope, out var inFlight));

        await host.Keys.ShredAsync(Subject, Email.Scope);

        // The key is wiped the moment the shred returns, even under an operation that already found it: that
        // operation fails with ObjectDisposedException (SafeHandle-guarded, never freed memory) — never a cipher
        // derived from wiped bytes — and the engine reloads, which now answers "erased".
        Assert.True(inFlight.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => inFlight.GetCipher(host.Encryptor.Algorithm));
        Assert.Throws<ObjectDisposedException>(() => inFlight.GetCipher(
            host.Encryptor.Algorithm == FieldEncryptionAlgorithm.Aegis256 ? FieldEncryptionAlgorithm.Aes256Gcm : FieldEncryptionAlgorithm.Aegis256));
        Assert.True((await host.Encryptor.DecryptAsync(Email, envelope)).IsErased);
    }

    [Fact]
    public async Task ShredAsync_EmptyScope_ThrowsArgumentException()
    {
        await using var host = GdprTestHost.Create();
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Keys.ShredAsync(Subject, string.Empty));
    }
}
