using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

/// <summary>
/// Subject ids are encoded strictly: ids that differ only in invalid UTF-16 once shared one pseudonym, so one
/// subject's data decrypted as another's and erasing one erased both (Art. 5(1)(d) accuracy, Art. 17 erasure of
/// the right person). Such ids are refused before any key exists, with an error that never quotes them.
/// </summary>
public class SubjectIdValidationTests
{
    // By index: the test runner's serialization of theory data would turn a lone surrogate into U+FFFD.
    private static readonly (string Id, string Reason)[] Invalid =
    [
        ("SUBJ-\uD800", "lone UTF-16 surrogate"),
        ("SUBJ-\uDBFF", "lone UTF-16 surrogate"),
        ("SUBJ-\uDC00x", "lone UTF-16 surrogate"),
        ("\uDFFFSUBJ", "lone UTF-16 surrogate"),
        ("SUBJ-\0", "NUL"),
        ("SUBJ-1\n", "control character"),
        ("SUBJ\u0085", "control character"),
        (new string('S', InvalidSubjectIdException.MaxLength + 1), $"longer than {InvalidSubjectIdException.MaxLength}"),
    ];

    public static TheoryData<int> InvalidIds() => [.. Enumerable.Range(0, Invalid.Length)];

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public async Task InvalidSubjectId_IsRefusedBeforeAnyKeyIsCreated_WithoutQuotingIt(int index)
    {
        var (subjectId, reason) = Invalid[index];
        var store = new InMemorySubjectKeyStore();
        await using var host = GdprTestHost.Create(store: store);
        var field = new FieldAddress(subjectId, "default", "Customer.Email");

        var errors = new List<InvalidSubjectIdException>
        {
            Assert.Throws<InvalidSubjectIdException>(() => host.Keys.GetPseudonym(subjectId)),
            await Assert.ThrowsAsync<InvalidSubjectIdException>(async () => await host.Encryptor.EncryptValueAsync(field, "secret-value")),
            await Assert.ThrowsAsync<InvalidSubjectIdException>(async () => await host.Encryptor.PrepareAsync(subjectId, "default", forWriting: true)),
            await Assert.ThrowsAsync<InvalidSubjectIdException>(async () => await host.Keys.ShredAsync(subjectId, "default")),
        };

        Assert.Equal(0, store.Count);
        Assert.False(host.Encryptor.TryEncrypt(field, new byte[1], new byte[200], out _));
        Assert.All(errors, e =>
        {
            Assert.Contains("subject id", e.Message, StringComparison.Ordinal);
            Assert.Contains(reason, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SUBJ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-value", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SubjectIds_DifferingOnlyInInvalidUtf16_NoLongerShareAPseudonym()
    {
        await using var host = GdprTestHost.Create();

        Assert.Throws<InvalidSubjectIdException>(() => host.Keys.GetPseudonym("SUBJ-\uD800"));
        Assert.Throws<InvalidSubjectIdException>(() => host.Keys.GetPseudonym("SUBJ-\uDBFF"));

        // U+FFFD is a real character: a valid id of its own, with a pseudonym of its own.
        var replacement = host.Keys.GetPseudonym("SUBJ-\uFFFD");
        Assert.NotEqual(host.Keys.GetPseudonym("SUBJ-"), replacement);
        Assert.NotEqual(host.Keys.GetPseudonym("SUBJ-?"), replacement);
    }

    [Theory]
    [InlineData("cust-😀")] // a surrogate pair is well-formed text
    [InlineData("jan.jansen@example.org")]
    [InlineData("Ünïcødé ID 名前")]
    [InlineData("tab\u00A0nbsp")]
    public async Task ValidSubjectIds_AreAccepted(string subjectId)
    {
        await using var host = GdprTestHost.Create();
        var field = new FieldAddress(subjectId, "default", "Customer.Email");

        var envelope = await host.Encryptor.EncryptValueAsync(field, "x");

        Assert.Equal("x", (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);
    }

    [Fact]
    public async Task SubjectId_OfExactlyMaxLength_IsAccepted()
    {
        await using var host = GdprTestHost.Create();
        var longest = new string('é', InvalidSubjectIdException.MaxLength);

        Assert.Equal(43, host.Keys.GetPseudonym(longest).Value.Length);
    }
}
