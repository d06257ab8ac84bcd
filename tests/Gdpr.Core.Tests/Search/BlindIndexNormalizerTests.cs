using Gdpr.Search;

namespace Gdpr.Core.Tests.Search;

public sealed class BlindIndexNormalizerTests
{
    private static string? Normalize(BlindIndexNormalization normalization, string? value, string region = "NL")
        => BlindIndexNormalizer.Normalize(normalization, value, region);

    [Theory]
    [InlineData("020 123 4567")]
    [InlineData("+31 (0)20-123 45 67")]
    [InlineData("0031201234567")]
    [InlineData("+31201234567")]
    public void APhoneNumberInEveryNotation_IsOneE164Number(string written)
        => Assert.Equal("+31201234567", Normalize(BlindIndexNormalization.PhoneNumber, written));

    [Fact]
    public void APhoneNumberWithoutCountryCode_IsReadInTheDefaultRegion()
    {
        Assert.Equal("+31612345678", Normalize(BlindIndexNormalization.PhoneNumber, "06-12345678"));
        Assert.Equal("+3222123456", Normalize(BlindIndexNormalization.PhoneNumber, "02 212 34 56", "BE"));
    }

    [Theory]
    [InlineData("not a number")]
    [InlineData("12")]
    [InlineData("")]
    public void AValueThatIsNoValidPhoneNumber_HasNoIndexValue(string written)
        => Assert.Null(Normalize(BlindIndexNormalization.PhoneNumber, written));

    [Fact]
    public void AnEmailAddress_IsTrimmedFoldedAndLowerCased()
    {
        Assert.Equal("anne.de.vries@example.nl", Normalize(BlindIndexNormalization.Email, "  Anne.de.Vries@Example.NL "));
        Assert.Equal("ren\u00e9e@example.nl", Normalize(BlindIndexNormalization.Email, "REN\u00c9E@example.nl"));
    }

    [Fact]
    public void CaseInsensitiveText_CollapsesWhiteSpace_AndLowersEveryLetter()
    {
        Assert.Equal("1234 ab", Normalize(BlindIndexNormalization.CaseInsensitiveText, " 1234   AB\t"));
        Assert.Equal("ren\u00e9e", Normalize(BlindIndexNormalization.CaseInsensitiveText, "REN\u00c9E"));
    }

    [Fact]
    public void NoNormalization_DependsOnTheHostsGlobalizationMode()
    {
        // This test process runs with InvariantGlobalization, where string.Normalize leaves non-ASCII text as it is;
        // a host with ICU would compose the accent. The index must not differ between the two: a decomposed accent
        // stays a different input under every normalization.
        foreach (var normalization in new[] { BlindIndexNormalization.Exact, BlindIndexNormalization.CaseInsensitiveText, BlindIndexNormalization.Email })
        {
            Assert.NotEqual(Normalize(normalization, "ren\u00e9e"), Normalize(normalization, "rene\u0301e"));
        }
    }

    [Fact]
    public void Exact_KeepsCaseAndSpaces()
    {
        Assert.Equal("Renee ", Normalize(BlindIndexNormalization.Exact, "Renee "));
        Assert.NotEqual(Normalize(BlindIndexNormalization.Exact, "renee"), Normalize(BlindIndexNormalization.Exact, "Renee"));
    }

    [Fact]
    public void Digits_KeepOnlyDecimalDigits()
    {
        Assert.Equal("1234567", Normalize(BlindIndexNormalization.DigitsOnly, "12-34 ５67"));
        Assert.Null(Normalize(BlindIndexNormalization.DigitsOnly, "no digits"));
        Assert.Equal("4567", Normalize(BlindIndexNormalization.LastFourDigits, "NL91 ABNA 0417 1643 00 4567"));
        Assert.Null(Normalize(BlindIndexNormalization.LastFourDigits, "x123"));
    }

    [Fact]
    public void Null_HasNoIndexValue()
    {
        foreach (var normalization in Enum.GetValues<BlindIndexNormalization>())
        {
            Assert.Null(Normalize(normalization, null));
        }
    }
}
