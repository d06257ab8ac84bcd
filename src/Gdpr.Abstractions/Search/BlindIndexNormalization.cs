namespace Gdpr.Search;

/// <summary>
/// How a value is normalized before its blind index is computed: two inputs that normalize alike find each other,
/// so the choice decides which spellings of a value a lookup treats as the same. No normalization applies Unicode
/// normalization (NFC/NFKC): it depends on the host's globalization mode, and an index must give every node the same
/// value; a composed and a decomposed accent are different inputs.
/// </summary>
public enum BlindIndexNormalization
{
    /// <summary>The text as it is.</summary>
    Exact = 0,

    /// <summary>Trimmed, runs of white space as one space, lower case (invariant culture).</summary>
    CaseInsensitiveText = 1,

    /// <summary>An e-mail address: trimmed, lower case (invariant culture).</summary>
    Email = 2,

    /// <summary>
    /// A phone number in E.164 (<c>+31201234567</c>), parsed with the default region for numbers written without a
    /// country code; a value that is not a valid number has no index value.
    /// </summary>
    PhoneNumber = 3,

    /// <summary>The decimal digits only (full-width digits count as their ASCII ones); no digits: no index value.</summary>
    DigitsOnly = 4,

    /// <summary>The last four decimal digits; fewer than four: no index value.</summary>
    LastFourDigits = 5,
}
