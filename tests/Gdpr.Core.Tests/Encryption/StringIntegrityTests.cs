using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>Personal data is stored exactly or refused, never silently altered (Art. 5(1)(d), accuracy).</summary>
public class StringIntegrityTests
{
    private static readonly FieldAddress Field = new("cust-utf16", "default", "Chat.Transcript");

    [Theory]
    [InlineData(0xD83D, false)] // the first half of an emoji cut off at the end
    [InlineData(0xDE00, true)]  // a low surrogate without its high one, at the start
    public async Task EncryptValueAsync_StringWithLoneSurrogate_IsRefusedNotSilentlyAltered(int surrogate, bool atStart)
    {
        // Built here: theory arguments are serialized, which would already replace the lone surrogate.
        var text = atStart ? (char)surrogate + " chat line" : "chat line " + (char)surrogate;
        Assert.True(char.IsSurrogate(text, atStart ? 0 : text.Length - 1));
        await using var host = GdprTestHost.Create();

        byte[]? envelope = null;
        try
        {
            envelope = await host.Encryptor.EncryptValueAsync(Field, text);
        }
        catch (ArgumentException ex)
        {
            Assert.DoesNotContain("chat line", ex.Message, StringComparison.Ordinal);
            Assert.ThrowsAny<ArgumentException>(() => PersonalDataValueCodec.ToBytes(text));
            return;
        }

        // If it is accepted, it must come back exactly as it went in.
        Assert.Equal(text, (await host.Encryptor.DecryptValueAsync<string>(Field, envelope)).Value);
    }
}
