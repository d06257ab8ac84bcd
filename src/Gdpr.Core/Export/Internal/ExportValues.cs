using System.Globalization;
using System.Xml;

namespace Gdpr.Export;

/// <summary>
/// The value types of an export (the types <see cref="Encryption.PersonalDataValueCodec"/> supports) and their
/// text forms: invariant, ISO 8601 for dates and durations, so every format reads the same everywhere.
/// </summary>
internal static class ExportValues
{
    /// <summary>The export's type name for a value, or <see langword="null"/> when the type is not supported.</summary>
    public static string? TypeName(object value) => value switch
    {
        string or char => "string",
        byte[] => "binary",
        bool => "boolean",
        Enum => "enum",
        sbyte or byte or short or ushort or int or uint or long or ulong => "integer",
        decimal => "decimal",
        float or double => "number",
        DateTime => "dateTime",
        DateTimeOffset => "dateTimeOffset",
        DateOnly => "date",
        TimeOnly => "time",
        TimeSpan => "duration",
        Guid => "uuid",
        _ => null,
    };

    /// <summary>Whether the value is a number a spreadsheet reads as a number (and never as a formula).</summary>
    public static bool IsNumber(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or decimal or float or double;

    /// <summary>The value's text form; <c>byte[]</c> as base64.</summary>
    public static string ToText(object value) => value switch
    {
        string s => s,
        char c => c.ToString(),
        byte[] b => Convert.ToBase64String(b),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        TimeSpan t => XmlConvert.ToString(t),
        Guid g => g.ToString("D"),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException(),
    };

    public static string LawfulBasisName(LawfulBasis basis) => basis switch
    {
        LawfulBasis.Contract => "contract",
        LawfulBasis.Consent => "consent",
        LawfulBasis.LegalObligation => "legalObligation",
        LawfulBasis.VitalInterests => "vitalInterests",
        LawfulBasis.PublicTask => "publicTask",
        LawfulBasis.LegitimateInterests => "legitimateInterests",
        _ => "unknown",
    };

    /// <summary>A file name part made of letters, digits, '-' and '_' only, so that no entry escapes <c>files/</c>.</summary>
    public static string SafeName(string name)
    {
        var length = Math.Min(name.Length, 64);
        return string.Create(length, name, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_';
            }
        });
    }
}
