using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>
/// The SDK's own formats are decoded strictly: what is not what the SDK writes is refused, never repaired into
/// something else (U+FFFD), and the synchronous span methods refuse what the async ones refuse.
/// </summary>
public class StrictDecoderTests
{
    public static TheoryData<string?> MissingScopes => new() { null, "" };

    [Theory]
    [MemberData(nameof(MissingScopes))]
    public async Task TryDecrypt_NullOrEmptyScope_IsRefusedLikeDecryptAsync(string? scope)
    {
        await using var host = GdprTestHost.Create();
        var good = new FieldAddress("cust-1", "default", "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(good, "anna@example.org");
        var field = good with { Scope = scope! };
        var plaintext = new byte[64];

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.DecryptAsync(field, envelope));
        Assert.ThrowsAny<ArgumentException>(() => host.Encryptor.TryDecrypt(field, envelope, plaintext, out _));
        Assert.ThrowsAny<ArgumentException>(() => host.Encryptor.TryEncrypt(field, "x"u8, new byte[host.Encryptor.GetEnvelopeLength(1)], out _));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.EncryptAsync(field, new byte[] { 1 }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task TryDecrypt_NullOrBlankSubject_IsRefusedLikeDecryptAsync(string? subject)
    {
        await using var host = GdprTestHost.Create();
        var good = new FieldAddress("cust-1", "default", "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(good, "anna@example.org");
        var field = good with { SubjectId = subject! };

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.DecryptAsync(field, envelope));
        Assert.ThrowsAny<ArgumentException>(() => host.Encryptor.TryDecrypt(field, envelope, new byte[64], out _));
    }

    [Fact]
    public void FromBytes_StringBytesThatAreNotUtf8_IsAFormatException_NotU_FFFD()
    {
        // 0xFF and 0xFE are both invalid; a lenient decoder turned both into "\uFFFD".
        Assert.Throws<FormatException>(() => PersonalDataValueCodec.FromBytes<string>([0x61, 0xFF]));
        Assert.Throws<FormatException>(() => PersonalDataValueCodec.FromBytes<string>([0x61, 0xFE]));
        Assert.Throws<FormatException>(() => PersonalDataValueCodec.FromBytes<string>([0xED, 0xA0, 0x80])); // an encoded lone surrogate
        Assert.Equal("a\u00e9\U0001F600", PersonalDataValueCodec.FromBytes<string>(PersonalDataValueCodec.ToBytes("a\u00e9\U0001F600")));
    }

    [Fact]
    public void IsValidText_RefusesExactlyWhatHasNoUtf8Form()
    {
        Assert.True(PersonalDataValueCodec.IsValidText(""));
        Assert.True(PersonalDataValueCodec.IsValidText("chat line \U0001F600 ok"));
        foreach (var text in new[] { "chat line \uD800", "\uDC00 chat line", "a\uD83D\uD83Db", "\uDE00\uD83D" })
        {
            Assert.False(PersonalDataValueCodec.IsValidText(text));
            Assert.ThrowsAny<ArgumentException>(() => PersonalDataValueCodec.ToBytes(text)); // the same rule
        }
    }
}
