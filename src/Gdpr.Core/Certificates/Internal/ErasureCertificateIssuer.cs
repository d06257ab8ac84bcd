using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gdpr.Erasure;
using Gdpr.Keys;

namespace Gdpr.Certificates;

/// <summary>
/// Writes certificates in their canonical form: UTF-8 JSON, no insignificant whitespace, members of every object in
/// ordinal order of name, arrays in ordinal order of scope (or source name, or hold id), absent values as
/// <c>null</c>, times as UTC <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, strings escaped as System.Text.Json's default
/// encoder does. The same result always gives the same bytes, apart from <c>certificateId</c> and <c>issuedAt</c>.
/// </summary>
internal sealed class ErasureCertificateIssuer(CertificateSigningKey key, TimeProvider time) : IErasureCertificateIssuer
{
    internal const string CertificateType = "gdpr.erasure-certificate";
    internal const int FormatVersion = 2;

    public string ExportPublicKeyPem() => key.PublicKeyPem;

    public SignedErasureCertificate Issue(ErasureResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = Write(result, "cert-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), time.GetUtcNow());
        return new SignedErasureCertificate(json, key.Sign(json));
    }

    internal static byte[] Write(ErasureResult result, string certificateId, DateTimeOffset issuedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteStartObject("audit");
            WriteStringOrNull(w, "hash", result.AuditHash);
            w.WriteNumber("sequence", result.AuditSequence);
            w.WriteEndObject();
            w.WriteString("certificateId", certificateId);

            w.WriteStartArray("destroyed");
            foreach (var s in Ordered(result, ScopeErasureStatus.Destroyed))
            {
                w.WriteStartObject();
                WriteTimeOrNull(w, "destroyedAt", s.DestroyedAt);
                w.WriteNumber("keyVersion", s.KeyVersion ?? 0);
                w.WriteString("scope", s.Scope);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("erasedAt", Time(result.ErasedAt));

            w.WriteStartArray("held");
            foreach (var s in Ordered(result, ScopeErasureStatus.Held))
            {
                WriteKept(w, s);
            }

            w.WriteEndArray();

            w.WriteStartArray("holds");
            foreach (var h in result.Holds.OrderBy(h => h.Id, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("holdId", h.Id);
                w.WriteString("placedAt", Time(h.PlacedAt));
                w.WriteString("reason", h.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("issuedAt", Time(issuedAt));
            w.WriteString("outcome", result.Outcome is ErasureOutcome.Erased or ErasureOutcome.NothingFound
                ? ErasureWireNames.Outcome(result.Outcome)
                : throw new InvalidOperationException($"An erasure whose outcome is {result.Outcome} gets no certificate."));
            w.WriteString("physicalRemoval", ErasureWireNames.Removal(result.PhysicalRemoval));

            w.WriteStartArray("retained");
            foreach (var s in Ordered(result, ScopeErasureStatus.Retained))
            {
                WriteKept(w, s);
            }

            w.WriteEndArray();

            w.WriteStartArray("sources");
            foreach (var s in result.Sources.OrderBy(s => s.Source, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("name", s.Source);
                w.WriteNumber("rowsDeleted", s.RowsDeleted);
                w.WriteNumber("rowsFound", s.RowsFound);
                w.WriteStartArray("scopesFound");
                foreach (var scope in s.ScopesFound.Order(StringComparer.Ordinal))
                {
                    w.WriteStringValue(scope);
                }

                w.WriteEndArray();
                w.WriteNumber("valuesReplaced", s.ValuesReplaced);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("subject", result.Subject.Value);
            w.WriteString("type", CertificateType);
            w.WriteNumber("version", FormatVersion);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static VerifiedErasureCertificate Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.GetProperty("type").GetString() != CertificateType)
            {
                throw new FormatException("The JSON is not an erasure certificate (type).");
            }

            var version = root.GetProperty("version").GetInt32();
            if (version is < 1 or > FormatVersion)
            {
                throw new FormatException($"Erasure certificate version {version} is not known to this SDK.");
            }

            var outcome = version == 1 ? ErasureOutcome.Erased : root.GetProperty("outcome").GetString() switch
            {
                "erased" => ErasureOutcome.Erased,
                "nothing-found" => ErasureOutcome.NothingFound,
                _ => throw new FormatException("The certificate's outcome is not known to this SDK."),
            };
            KeyRemovalStatus? removal = version == 1 ? null : root.GetProperty("physicalRemoval").GetString() switch
            {
                "removed" => KeyRemovalStatus.Removed,
                "pending" => KeyRemovalStatus.Pending,
                "not-applicable" => KeyRemovalStatus.NotApplicable,
                _ => throw new FormatException("The certificate's physical removal status is not known to this SDK."),
            };
            return new VerifiedErasureCertificate
            {
                Version = version,
                CertificateId = root.GetProperty("certificateId").GetString()!,
                Subject = root.GetProperty("subject").GetString()!,
                Outcome = outcome,
                PhysicalRemoval = removal,
                DestroyedScopes = [.. root.GetProperty("destroyed").EnumerateArray().Select(d => d.GetProperty("scope").GetString()!)],
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("The JSON is not an erasure certificate.", ex);
        }
    }

    private static IEnumerable<ScopeErasureOutcome> Ordered(ErasureResult result, ScopeErasureStatus status)
        => result.Scopes.Where(s => s.Status == status).OrderBy(s => s.Scope, StringComparer.Ordinal);

    private static void WriteKept(Utf8JsonWriter w, ScopeErasureOutcome s)
    {
        w.WriteStartObject();
        WriteStringOrNull(w, "legalBasis", s.LegalBasis);
        WriteTimeOrNull(w, "retainedUntil", s.RetainedUntil);
        w.WriteString("scope", s.Scope);
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteTimeOrNull(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Time(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Time(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
