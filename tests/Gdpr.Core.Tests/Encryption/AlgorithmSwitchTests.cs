using Gdpr.Encryption.Infrastructure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>Switching <see cref="GdprOptions.Algorithm"/> changes what is written, never what can be read.</summary>
public class AlgorithmSwitchTests
{
    private static readonly FieldAddress Field = new("cust-switch", "default", "Customer.Name");

    [Theory]
    [InlineData(FieldEncryptionAlgorithm.Aegis256, FieldEncryptionAlgorithm.Aes256Gcm)]
    [InlineData(FieldEncryptionAlgorithm.Aes256Gcm, FieldEncryptionAlgorithm.Aegis256)]
    public async Task DecryptAsync_AfterAlgorithmSwitch_ReadsOldAndNewEnvelopes(FieldEncryptionAlgorithm before, FieldEncryptionAlgorithm after)
    {
        var store = new InMemorySubjectKeyStore();
        using var kek = GdprTestHost.CreateInMemoryKeyRing();

        byte[] old;
        await using (var first = GdprTestHost.Create(before, store: store, kek: kek))
        {
            Assert.Equal(before, first.Encryptor.Algorithm);
            old = await first.Encryptor.EncryptValueAsync(Field, "Jan Jansen");
        }

        await using var second = GdprTestHost.Create(after, store: store, kek: kek);
        Assert.Equal(after, second.Encryptor.Algorithm);
        Assert.Equal("Jan Jansen", (await second.Encryptor.DecryptValueAsync<string>(Field, old)).Value);

        var fresh = await second.Encryptor.EncryptValueAsync(Field, "Jan de Vries");
        Assert.Equal((byte)after, fresh[1]);
        Assert.Equal((byte)before, old[1]);
        Assert.Equal(1, store.Count); // the same data key, one subkey per algorithm

        // Span API with a warm cache reads both algorithms too.
        foreach (var envelope in new[] { old, fresh })
        {
            var buffer = new byte[second.Encryptor.GetPlaintextLength(envelope)];
            Assert.Equal(FieldReadStatus.Decrypted, second.Encryptor.TryDecrypt(Field, envelope, buffer, out _));
        }

        // Shredding erases envelopes of both algorithms.
        await second.Keys.ShredAsync(Field.SubjectId, Field.Scope);
        Assert.True((await second.Encryptor.DecryptAsync(Field, old)).IsErased);
        Assert.True((await second.Encryptor.DecryptAsync(Field, fresh)).IsErased);
    }

    [Fact]
    public async Task Envelope_Lengths_MatchTheDocumentedLayout()
    {
        // docs: header 6 ‖ nonce (32 | 12) ‖ ciphertext ‖ tag (32 | 16)
        await using var aegis = GdprTestHost.Create(FieldEncryptionAlgorithm.Aegis256);
        await using var gcm = GdprTestHost.Create(FieldEncryptionAlgorithm.Aes256Gcm);
        Assert.Equal(6 + 32 + 10 + 32, aegis.Encryptor.GetEnvelopeLength(10));
        Assert.Equal(6 + 12 + 10 + 16, gcm.Encryptor.GetEnvelopeLength(10));

        var envelope = await gcm.Encryptor.EncryptAsync(Field, new byte[10]);
        Assert.Equal(1, envelope[0]);   // format version
        Assert.Equal(2, envelope[1]);   // AES-256-GCM
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, envelope[2..6]); // key version 1, big-endian
        Assert.Throws<ArgumentOutOfRangeException>(() => gcm.Encryptor.GetEnvelopeLength(-1));
    }
}
