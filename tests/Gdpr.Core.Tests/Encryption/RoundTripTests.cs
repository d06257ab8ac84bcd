using Gdpr.Encryption.Infrastructure;
using System.Reflection;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>Every algorithm × every supported value type, through the async API and the span API (NSec-style theories).</summary>
public class RoundTripTests
{
    private static readonly FieldAddress Field = new("cust-42", "default", "Customer.Value");

    [Theory]
    [MemberData(nameof(Values.AlgorithmsTimesCases), MemberType = typeof(Values))]
    public async Task EncryptValueAsync_EveryTypeAndAlgorithm_DecryptsToIdenticalValue(FieldEncryptionAlgorithm algorithm, string caseName)
    {
        var value = Values.Cases[caseName];
        await using var host = GdprTestHost.Create(algorithm);

        var envelope = await InvokeGenericAsync<byte[]>(nameof(EncryptTypedAsync), value.GetType(), host.Encryptor, Field, value);
        Assert.Equal((byte)algorithm, envelope[1]);
        Assert.Equal(host.Encryptor.GetEnvelopeLength(PersonalDataValueCodec.ToBytes(value).Length), envelope.Length);

        var back = await InvokeGenericAsync<object?>(nameof(DecryptTypedAsync), value.GetType(), host.Encryptor, Field, envelope);
        Values.AssertIdentical(value, back);
    }

    [Theory]
    [MemberData(nameof(Values.AlgorithmsTimesCases), MemberType = typeof(Values))]
    public async Task TryEncrypt_AfterPrepareAsync_EveryTypeAndAlgorithm_TryDecryptsToIdenticalValue(FieldEncryptionAlgorithm algorithm, string caseName)
    {
        var value = Values.Cases[caseName];
        await using var host = GdprTestHost.Create(algorithm);
        var encryptor = host.Encryptor;
        var plaintext = PersonalDataValueCodec.ToBytes(value);

        var envelope = new byte[encryptor.GetEnvelopeLength(plaintext.Length)];
        Assert.False(encryptor.TryEncrypt(Field, plaintext, envelope, out _)); // nothing cached yet: the span API never does I/O
        await encryptor.PrepareAsync(Field.SubjectId, Field.Scope, forWriting: true);
        Assert.True(encryptor.TryEncrypt(Field, plaintext, envelope, out var written));
        Assert.Equal(envelope.Length, written);
        Assert.Equal((byte)algorithm, envelope[1]);

        Assert.Equal(plaintext.Length, encryptor.GetPlaintextLength(envelope));
        var decrypted = new byte[encryptor.GetPlaintextLength(envelope)];
        Assert.Equal(FieldReadStatus.Decrypted, encryptor.TryDecrypt(Field, envelope, decrypted, out var read));
        Assert.Equal(plaintext.Length, read);
        Values.AssertIdentical(value, PersonalDataValueCodec.FromBytes(value.GetType(), decrypted));

        // And the two APIs read each other's envelopes.
        var viaAsync = await InvokeGenericAsync<object?>(nameof(DecryptTypedAsync), value.GetType(), encryptor, Field, envelope);
        Values.AssertIdentical(value, viaAsync);
        var fromAsync = await InvokeGenericAsync<byte[]>(nameof(EncryptTypedAsync), value.GetType(), encryptor, Field, value);
        var decrypted2 = new byte[encryptor.GetPlaintextLength(fromAsync)];
        Assert.Equal(FieldReadStatus.Decrypted, encryptor.TryDecrypt(Field, fromAsync, decrypted2, out _));
        Values.AssertIdentical(value, PersonalDataValueCodec.FromBytes(value.GetType(), decrypted2));
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task EncryptAsync_SameValueTwice_GivesDifferentEnvelopes(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var a = await host.Encryptor.EncryptValueAsync(Field, "same value");
        var b = await host.Encryptor.EncryptValueAsync(Field, "same value");

        // A fresh nonce per value: equal plaintexts must not be recognisable in the database.
        Assert.NotEqual(a, b);
        Assert.Equal("same value", (await host.Encryptor.DecryptValueAsync<string>(Field, a)).Value);
        Assert.Equal("same value", (await host.Encryptor.DecryptValueAsync<string>(Field, b)).Value);
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task EncryptAsync_Envelope_DoesNotContainThePlaintext(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var plaintext = System.Text.Encoding.UTF8.GetBytes("a-very-recognisable-plaintext-value");
        var envelope = await host.Encryptor.EncryptAsync(Field, plaintext);

        Assert.Equal(-1, envelope.AsSpan().IndexOf(plaintext.AsSpan(0, 8)));
    }

    [Theory]
    [MemberData(nameof(Values.AllAlgorithms), MemberType = typeof(Values))]
    public async Task TryEncrypt_DestinationTooSmall_ThrowsArgumentException(FieldEncryptionAlgorithm algorithm)
    {
        await using var host = GdprTestHost.Create(algorithm);
        await host.Encryptor.PrepareAsync(Field.SubjectId, Field.Scope, forWriting: true);
        var plaintext = new byte[] { 1, 2, 3, 4, 5 };
        var tooSmall = new byte[host.Encryptor.GetEnvelopeLength(plaintext.Length) - 1];

        Assert.Throws<ArgumentException>(() => host.Encryptor.TryEncrypt(Field, plaintext, tooSmall, out _));
    }

    [Fact]
    public void PersonalDataValueCodec_UnsupportedType_IsRejected()
    {
        Assert.False(PersonalDataValueCodec.IsSupported(typeof(Uri)));
        Assert.True(PersonalDataValueCodec.IsSupported(typeof(DateOnly?)));
        Assert.True(PersonalDataValueCodec.IsSupported(typeof(SignedMood)));
        Assert.Throws<NotSupportedException>(() => PersonalDataValueCodec.ToBytes(new Uri("https://example.org")));
    }

    [Fact]
    public void PersonalDataValueCodec_WrongLength_ThrowsFormatException()
        => Assert.Throws<FormatException>(() => PersonalDataValueCodec.FromBytes<int>(new byte[3]));

    private static async Task<T> InvokeGenericAsync<T>(string method, Type typeArgument, params object[] args)
    {
        var generic = typeof(RoundTripTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeArgument);
        try
        {
            return await (Task<T>)generic.Invoke(null, args)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static async Task<byte[]> EncryptTypedAsync<T>(IFieldEncryptor encryptor, FieldAddress field, object value)
        where T : notnull
        => await encryptor.EncryptValueAsync(field, (T)value);

    private static async Task<object?> DecryptTypedAsync<T>(IFieldEncryptor encryptor, FieldAddress field, byte[] envelope)
        where T : notnull
    {
        var result = await encryptor.DecryptValueAsync<T>(field, envelope);
        Assert.False(result.IsErased);
        return result.Value;
    }
}
