using Gdpr.Encryption.Infrastructure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>
/// Tampered, truncated and foreign envelopes must fail with <see cref="PersonalDataIntegrityException"/> — never
/// decrypt, never read as erased, never leak the plaintext or the subject id (GDPR Art. 5(1)(f), 32(1)).
/// </summary>
public class TamperTests
{
    private const string Plaintext = "secret-plaintext-jan@example.org";
    private const string SubjectA = "subject-alpha-7731";
    private const string SubjectB = "subject-bravo-9924";

    private static readonly FieldAddress EmailOfA = new(SubjectA, "default", "Customer.Email");

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EnvelopeOfAnotherSubject_ThrowsIntegrityExceptionWithoutPlaintext(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        var emailOfB = EmailOfA with { SubjectId = SubjectB };
        await host.Encryptor.EncryptValueAsync(emailOfB, "b's own value"); // B has a live key of the same version

        var ex = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(emailOfB, envelope));
        Assert.Equal(IntegrityFailure.AuthenticationFailed, ex.Failure);
        Assert.Equal("Customer.Email", ex.Field);
        Assert.Equal(host.Keys.GetPseudonym(SubjectB).Value, ex.SubjectPseudonym);
        AssertNoPersonalData(host, ex);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EnvelopeOfASubjectWithoutKey_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);

        // B never had a key: a copied envelope must not read as "erased" (that would hide the tampering).
        var ex = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(EmailOfA with { SubjectId = SubjectB }, envelope));
        AssertNoPersonalData(host, ex);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EnvelopeMovedToAnotherField_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);

        var ex = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(EmailOfA with { Field = "Customer.Phone" }, envelope));
        Assert.Equal(IntegrityFailure.AuthenticationFailed, ex.Failure);
        Assert.Equal("Customer.Phone", ex.Field);
        AssertNoPersonalData(host, ex);

        // A field name that only differs by a prefix or case is another field too.
        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(EmailOfA with { Field = "Customer.EmailX" }, envelope));
        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(EmailOfA with { Field = "customer.email" }, envelope));
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EnvelopeMovedToAnotherScope_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        var otherScope = EmailOfA with { Scope = "fiscal-7y" };

        // Without a key in the other scope ...
        var first = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(otherScope, envelope));
        AssertNoPersonalData(host, first);

        // ... and with one of the same version.
        await host.Encryptor.EncryptValueAsync(otherScope, "kept for the tax office");
        var second = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(otherScope, envelope));
        Assert.Equal(IntegrityFailure.AuthenticationFailed, second.Failure);
        AssertNoPersonalData(host, second);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EverySingleByteFlip_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        await AssertEveryFlipFailsAsync(host, EmailOfA, envelope);
        AssertNoPersonalData(host, null);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EverySingleByteFlipOfASecondKeyVersion_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        await host.Encryptor.EncryptValueAsync(EmailOfA, "first life");
        await host.Keys.ShredAsync(SubjectA, EmailOfA.Scope);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        Assert.Equal(2, envelope[5]);

        await AssertEveryFlipFailsAsync(host, EmailOfA, envelope);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EmptyValueEnvelope_EveryFlipThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptAsync(EmailOfA, ReadOnlyMemory<byte>.Empty);
        await AssertEveryFlipFailsAsync(host, EmailOfA, envelope);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task TryDecrypt_EverySingleByteFlip_NeverDecryptsNorReadsErased(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        await host.Encryptor.PrepareAsync(SubjectA, EmailOfA.Scope, forWriting: false);

        foreach (var (position, mask) in Flips(envelope.Length))
        {
            var tampered = (byte[])envelope.Clone();
            tampered[position] ^= mask;
            var buffer = new byte[envelope.Length];
            FieldReadStatus status;
            try
            {
                status = host.Encryptor.TryDecrypt(EmailOfA, tampered, buffer, out _);
            }
            catch (PersonalDataIntegrityException)
            {
                continue;
            }

            // A key version higher than the cache knows may legitimately mean "ask the store"; the store then must refuse it.
            Assert.True(status == FieldReadStatus.KeyNotCached, $"flip 0x{mask:x2} at byte {position} returned {status}");
            Assert.InRange(position, 2, 5);
            await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, tampered));
        }
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_EveryTruncation_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        await host.Encryptor.PrepareAsync(SubjectA, EmailOfA.Scope, forWriting: false);

        for (var length = 0; length < envelope.Length; length++)
        {
            var truncated = envelope.AsMemory(0, length);
            var ex = await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptValueAsync<string>(EmailOfA, truncated));
            Assert.True(ex.Failure is IntegrityFailure.Truncated or IntegrityFailure.AuthenticationFailed, $"length {length}: {ex.Failure}");

            var spanEx = Assert.Throws<PersonalDataIntegrityException>(() => host.Encryptor.TryDecrypt(EmailOfA, truncated.Span, new byte[envelope.Length], out _));
            Assert.Equal(ex.Failure, spanEx.Failure);
        }

        // Cutting the plaintext away entirely leaves a well-formed empty envelope that must not authenticate either.
        var headerNonceTag = host.Encryptor.GetEnvelopeLength(0);
        Assert.Equal(-1, host.Encryptor.GetPlaintextLength(envelope.AsSpan(0, headerNonceTag - 1)));
        Assert.Equal(0, host.Encryptor.GetPlaintextLength(envelope.AsSpan(0, headerNonceTag)));
        AssertNoPersonalData(host, null);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_BytesAppended_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);

        foreach (var extra in new byte[][] { [0], [0xff, 0xff], new byte[64] })
        {
            var longer = envelope.Concat(extra).ToArray();
            await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, longer));
        }
    }

    [Fact]
    public async Task DecryptAsync_UnknownFormatOrAlgorithm_NamesTheFailure()
    {
        await using var host = GdprTestHost.Create();
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);

        var format = (byte[])envelope.Clone();
        format[0] = 2;
        Assert.Equal(IntegrityFailure.UnsupportedFormat, (await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, format))).Failure);

        var algorithm = (byte[])envelope.Clone();
        algorithm[1] = 0;
        Assert.Equal(IntegrityFailure.UnknownAlgorithm, (await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, algorithm))).Failure);

        var version = (byte[])envelope.Clone();
        version[2] = 0x7f;
        Assert.Equal(IntegrityFailure.UnknownKeyVersion, (await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, version))).Failure);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task DecryptAsync_AlgorithmIdSwapped_ThrowsIntegrityException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var envelope = await host.Encryptor.EncryptValueAsync(EmailOfA, Plaintext);
        var swapped = (byte[])envelope.Clone();
        swapped[1] = (byte)(algorithm == FieldEncryptionAlgorithm.Aegis256 ? FieldEncryptionAlgorithm.Aes256Gcm : FieldEncryptionAlgorithm.Aegis256);

        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(EmailOfA, swapped));
    }

    private static IEnumerable<(int Position, byte Mask)> Flips(int length)
    {
        for (var i = 0; i < length; i++)
        {
            yield return (i, 0x01);
            yield return (i, 0x80);
        }
    }

    private static async Task AssertEveryFlipFailsAsync(GdprTestHost host, FieldAddress field, byte[] envelope)
    {
        var failures = new List<string>();
        foreach (var (position, mask) in Flips(envelope.Length))
        {
            var tampered = (byte[])envelope.Clone();
            tampered[position] ^= mask;
            try
            {
                var result = await host.Encryptor.DecryptAsync(field, tampered);
                failures.Add($"flip 0x{mask:x2} at byte {position}: {(result.IsErased ? "read as erased" : "decrypted")}");
            }
            catch (PersonalDataIntegrityException ex)
            {
                Assert.Equal(field.Field, ex.Field);
            }
            catch (Exception ex)
            {
                failures.Add($"flip 0x{mask:x2} at byte {position}: {ex.GetType().Name}");
            }
        }

        Assert.Empty(failures);

        // The untouched envelope still reads: the failures were the flips, not a broken key.
        Assert.False((await host.Encryptor.DecryptAsync(field, envelope)).IsErased);
    }

    private static void AssertNoPersonalData(GdprTestHost host, Exception? ex)
    {
        var texts = host.AllLogText().ToList();
        if (ex is not null)
        {
            texts.Add(ex.Message);
            texts.Add(ex.ToString());
        }

        Assert.NotEmpty(host.Logs.GetSnapshot()); // integrity failures are logged (with the pseudonym) ...
        foreach (var text in texts)
        {
            // ... but never with the value or the subject id.
            Assert.DoesNotContain(Plaintext, text, StringComparison.Ordinal);
            Assert.DoesNotContain("jan@example.org", text, StringComparison.Ordinal);
            Assert.DoesNotContain(SubjectA, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SubjectB, text, StringComparison.Ordinal);
        }
    }
}
