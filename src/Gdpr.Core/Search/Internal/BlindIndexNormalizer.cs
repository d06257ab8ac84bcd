using System.Text;
using PhoneNumbers;

namespace Gdpr.Search;

/// <summary>Applies a <see cref="BlindIndexNormalization"/>; null when the value has no index value under it.</summary>
/// <remarks>
/// No Unicode normalization (NFC, NFKC): <see cref="string.Normalize()"/> depends on the host's globalization mode
/// (with <c>InvariantGlobalization</c> it leaves non-ASCII text as it is), and an index must give the same value on
/// every node whatever its settings. Lower case is <see cref="string.ToLowerInvariant"/>'s simple case mapping, which
/// .NET applies in both modes; full-width digits are mapped here, not by NFKC.
/// </remarks>
internal static class BlindIndexNormalizer
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static string? Normalize(BlindIndexNormalization normalization, string? value, string defaultPhoneRegion)
    {
        if (value is null)
        {
            return null;
        }

        return normalization switch
        {
            BlindIndexNormalization.Exact => value,
            BlindIndexNormalization.CaseInsensitiveText => NullIfEmpty(CollapseWhiteSpace(value).ToLowerInvariant()),
            BlindIndexNormalization.Email => NullIfEmpty(value.Trim().ToLowerInvariant()),
            BlindIndexNormalization.PhoneNumber => ToE164(value, defaultPhoneRegion),
            BlindIndexNormalization.DigitsOnly => NullIfEmpty(Digits(value)),
            BlindIndexNormalization.LastFourDigits => Digits(value) is { Length: >= 4 } digits ? digits[^4..] : null,
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown blind-index normalization."),
        };
    }

    private static string? ToE164(string value, string defaultPhoneRegion)
    {
        try
        {
            var number = Phones.Parse(value, defaultPhoneRegion);
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    private static string Digits(string value)
    {
        var digits = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is >= '\uFF10' and <= '\uFF19')
            {
                digits.Append((char)('0' + (c - '\uFF10'))); // full-width, as an East Asian input method types them
            }
        }

        return digits.ToString();
    }

    private static string CollapseWhiteSpace(string value)
    {
        var text = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = text.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                text.Append(' ');
                pendingSpace = false;
            }

            text.Append(c);
        }

        return text.ToString();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
