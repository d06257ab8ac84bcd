using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Gdpr.Audit;

/// <summary>
/// The canonical form of an audit entry and its hash. The form is JSON, UTF-8, without insignificant whitespace,
/// with the members in ordinal order — <c>details</c> (its names sorted ordinally), <c>kind</c>,
/// <c>previousHash</c>, <c>sequence</c>, <c>subject</c> (a string or <c>null</c>), <c>timestamp</c>
/// (UTC, <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>) — and the hash is SHA-256 of those bytes, in lower-case hex.
/// </summary>
/// <remarks>The entry's own hash is not part of its form; the previous entry's is, which chains them.</remarks>
internal static class AuditEntryHasher
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
    internal const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ComputeHash(AuditEntry entry) => Convert.ToHexStringLower(SHA256.HashData(GetCanonicalBytes(entry)));

    public static byte[] GetCanonicalBytes(AuditEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("details");
            foreach (var (name, value) in entry.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteString("kind", entry.Kind);
            writer.WriteString("previousHash", entry.PreviousHash);
            writer.WriteNumber("sequence", entry.Sequence);
            if (entry.Subject is { } subject)
            {
                writer.WriteString("subject", subject.Value);
            }
            else
            {
                writer.WriteNull("subject");
            }

            writer.WriteString("timestamp", FormatTimestamp(entry.Timestamp));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string FormatTimestamp(DateTimeOffset value)
        => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
}
