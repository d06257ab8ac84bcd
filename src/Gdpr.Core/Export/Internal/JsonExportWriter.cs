using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gdpr.DataSources;

namespace Gdpr.Export;

/// <summary>
/// Writes the JSON format (schema <c>subject-export-v1</c>) with a <see cref="Utf8JsonWriter"/> that is flushed to the
/// stream whenever its buffer passes the threshold, so memory stays flat however many values there are.
/// </summary>
internal sealed class JsonExportWriter : ExportWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // The document is a file for the subject, never embedded in HTML: keep accents and quotes readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Entity = JsonEncodedText.Encode("entity");
    private static readonly JsonEncodedText Record = JsonEncodedText.Encode("record");
    private static readonly JsonEncodedText Member = JsonEncodedText.Encode("member");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText CategoryName = JsonEncodedText.Encode("categoryName");
    private static readonly JsonEncodedText Purposes = JsonEncodedText.Encode("purposes");
    private static readonly JsonEncodedText LawfulBasis = JsonEncodedText.Encode("lawfulBasis");
    private static readonly JsonEncodedText Retention = JsonEncodedText.Encode("retention");
    private static readonly JsonEncodedText Policy = JsonEncodedText.Encode("policy");
    private static readonly JsonEncodedText Period = JsonEncodedText.Encode("period");
    private static readonly JsonEncodedText LegalBasis = JsonEncodedText.Encode("legalBasis");
    private static readonly JsonEncodedText ProvidedBySubject = JsonEncodedText.Encode("providedBySubject");
    private static readonly JsonEncodedText CollectedAt = JsonEncodedText.Encode("collectedAt");
    private static readonly JsonEncodedText ModifiedAt = JsonEncodedText.Encode("modifiedAt");
    private static readonly JsonEncodedText Erased = JsonEncodedText.Encode("erased");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText File = JsonEncodedText.Encode("file");
    private static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText Sha256 = JsonEncodedText.Encode("sha256");
    private static readonly JsonEncodedText Size = JsonEncodedText.Encode("size");

    private readonly Utf8JsonWriter _json;
    private readonly int _flushThreshold;
    private readonly Func<PersonalDataItem, byte[], CancellationToken, ValueTask<string>>? _storeFile;
    private ExportDocument? _document;
    private bool _completed;

    /// <param name="destination">Where the document goes.</param>
    /// <param name="flushThreshold">Bytes buffered before a flush.</param>
    /// <param name="storeFile">
    /// Stores a file beside the document and returns its relative path (the ZIP package); <see langword="null"/>
    /// embeds files as base64.
    /// </param>
    public JsonExportWriter(Stream destination, int flushThreshold, Func<PersonalDataItem, byte[], CancellationToken, ValueTask<string>>? storeFile = null)
    {
        _json = new Utf8JsonWriter(destination, WriterOptions);
        _flushThreshold = flushThreshold;
        _storeFile = storeFile;
    }

    public override async ValueTask BeginAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        _document = document;
        var options = document.Options;
        var w = _json;
        w.WriteStartObject();
        w.WriteString("formatVersion", ExportDocument.FormatVersion);
        w.WriteString("kind", document.Kind == ExportKind.Portability ? "portability" : "access");
        w.WriteString("generatedAt", document.GeneratedAt);
        w.WriteStartObject("subject");
        w.WriteString("id", document.SubjectId);
        w.WriteEndObject();

        // The head: what Art. 15(1) and 15(2) require besides the copy itself.
        WriteContact(w, "controller", options.Controller);
        if (options.DataProtectionOfficer.IsEmpty)
        {
            w.WriteNull("dataProtectionOfficer");
        }
        else
        {
            WriteContact(w, "dataProtectionOfficer", options.DataProtectionOfficer);
        }

        w.WriteStartArray("purposes");
        foreach (var purpose in options.Purposes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id", purpose.Key);
            w.WriteString("description", purpose.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("recipients");
        foreach (var recipient in options.Recipients)
        {
            w.WriteStartObject();
            w.WriteString("name", recipient.Name);
            WriteOptional(w, "description", recipient.Description);
            WriteOptional(w, "thirdCountry", recipient.ThirdCountry);
            WriteOptional(w, "safeguards", recipient.Safeguards);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("retentionPolicies");
        foreach (var policy in document.Policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", policy.Name);
            WriteNullable(w, "period", policy.Period);
            WriteNullable(w, "clock", policy.Clock);
            w.WriteBoolean("legalObligation", policy.LegalObligation);
            WriteNullable(w, "legalBasis", policy.LegalBasis);
            w.WriteString("description", policy.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("sourcesOfData");
        foreach (var origin in options.SourcesOfData.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("category", origin.Key);
            w.WriteString("categoryName", ExportDocument.CategoryName(origin.Key));
            w.WriteString("source", origin.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        // Stated only when the controller configured it: the SDK cannot know whether decisions are automated.
        if (options.AutomatedDecisionMaking is null && !options.NoAutomatedDecisionMaking)
        {
            w.WriteNull("automatedDecisionMaking");
        }
        else
        {
            w.WriteStartObject("automatedDecisionMaking");
            w.WriteBoolean("exists", options.AutomatedDecisionMaking is not null);
            w.WriteString("description", options.AutomatedDecisionMaking ?? ExportTexts.NoAutomatedDecisions);
            w.WriteString("article", "Art. 22");
            w.WriteEndObject();
        }

        w.WriteStartArray("rights");
        foreach (var (right, article, description) in ExportTexts.Rights)
        {
            w.WriteStartObject();
            w.WriteString("right", right);
            w.WriteString("article", article);
            w.WriteString("description", description);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartObject("supervisoryAuthority");
        WriteNullable(w, "name", options.SupervisoryAuthority.Name);
        WriteNullable(w, "contact", options.SupervisoryAuthority.Contact);
        w.WriteString("article", "Art. 77");
        w.WriteString("description", ExportTexts.Complaint);
        w.WriteEndObject();

        w.WriteStartArray("values");
        await FlushIfNeededAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(PersonalDataItem item, CancellationToken cancellationToken)
    {
        var document = _document!;
        var w = _json;
        w.WriteStartObject();
        w.WriteString(Source, item.Source);
        w.WriteString(Entity, item.Entity);
        if (item.RecordKey is not null)
        {
            w.WriteString(Record, item.RecordKey);
        }

        w.WriteString(Member, item.Member);
        w.WriteString(Category, item.Category);
        w.WriteString(CategoryName, ExportDocument.CategoryName(item.Category));
        w.WriteStartArray(Purposes);
        foreach (var purpose in item.Purposes)
        {
            w.WriteStringValue(purpose);
        }

        w.WriteEndArray();
        w.WriteString(LawfulBasis, ExportValues.LawfulBasisName(item.LawfulBasis));
        var policy = document.GetPolicy(item.RetentionPolicy);
        w.WriteStartObject(Retention);
        w.WriteString(Policy, policy.Name);
        if (policy.Period is null)
        {
            w.WriteNull(Period);
        }
        else
        {
            w.WriteString(Period, policy.Period);
        }

        if (policy.LegalBasis is null)
        {
            w.WriteNull(LegalBasis);
        }
        else
        {
            w.WriteString(LegalBasis, policy.LegalBasis);
        }

        w.WriteEndObject();
        w.WriteBoolean(ProvidedBySubject, item.ProvidedBySubject);
        if (item.CollectedAt is { } collected)
        {
            w.WriteString(CollectedAt, collected);
        }

        if (item.ModifiedAt is { } modified)
        {
            w.WriteString(ModifiedAt, modified);
        }

        // An erased value is only the fact that it existed: whatever the source put in Value (a replacement, or
        // ciphertext by mistake) is never written.
        w.WriteBoolean(Erased, item.IsErased);
        if (!item.IsErased && item.Value is { } value)
        {
            w.WriteString(Type, ExportValues.TypeName(value));
            if (value is byte[] bytes)
            {
                await WriteFileAsync(item, bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                w.WritePropertyName(Value);
                WriteScalar(w, value);
            }
        }

        w.WriteEndObject();
        await FlushIfNeededAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask CompleteAsync(ExportStats stats, CancellationToken cancellationToken)
    {
        var w = _json;
        w.WriteEndArray();

        // Art. 15(1)(b): the categories of this subject's data, known only once every value has streamed past.
        w.WriteStartArray("categories");
        foreach (var category in stats.Categories.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id", category.Key);
            w.WriteString("displayName", ExportDocument.CategoryName(category.Key));
            w.WriteBoolean("specialCategory", Classification.PersonalDataCategories.TryGet(category.Key, out var known) && known.IsSpecialCategory);
            w.WriteNumber("valueCount", category.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartObject("summary");
        w.WriteNumber("valueCount", stats.ValueCount);
        w.WriteNumber("erasedCount", stats.ErasedCount);
        w.WriteNumber("fileCount", stats.FileCount);
        w.WriteStartArray("sources");
        foreach (var source in stats.Sources)
        {
            w.WriteStringValue(source);
        }

        w.WriteEndArray();
        w.WriteBoolean("complete", true);
        w.WriteEndObject();

        w.WriteEndObject();
        await w.FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            await _json.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // Abandoned: drop what is buffered rather than flush more of an incomplete document.
            _json.Reset(Stream.Null);
            await _json.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask WriteFileAsync(PersonalDataItem item, byte[] bytes, CancellationToken cancellationToken)
    {
        var w = _json;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (_storeFile is null)
        {
            w.WriteBase64String(Value, bytes);
            w.WriteStartObject(File);
        }
        else
        {
            // Flush first so that the file's bytes, not the document's buffer, are what is held while it is written.
            await FlushIfNeededAsync(cancellationToken).ConfigureAwait(false);
            var path = await _storeFile(item, bytes, cancellationToken).ConfigureAwait(false);
            w.WriteStartObject(File);
            w.WriteString(Path, path);
        }

        w.WriteString(Sha256, sha256);
        w.WriteNumber(Size, bytes.LongLength);
        w.WriteEndObject();
    }

    private static void WriteScalar(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case decimal m: w.WriteNumberValue(m); break;
            case ulong ul: w.WriteNumberValue(ul); break;
            case uint ui: w.WriteNumberValue(ui); break;
            case short sh: w.WriteNumberValue(sh); break;
            case ushort us: w.WriteNumberValue(us); break;
            case byte by: w.WriteNumberValue(by); break;
            case sbyte sb: w.WriteNumberValue(sb); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case DateTime dt: w.WriteStringValue(dt); break;
            case DateTimeOffset dto: w.WriteStringValue(dto); break;
            case Guid g: w.WriteStringValue(g); break;
            default: w.WriteStringValue(ExportValues.ToText(value)); break; // enums, dates, times, durations, NaN
        }
    }

    private static void WriteContact(Utf8JsonWriter w, string name, ContactInfo contact)
    {
        w.WriteStartObject(name);
        WriteNullable(w, "name", contact.Name);
        WriteNullable(w, "contact", contact.Contact);
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
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

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            w.WriteString(name, value);
        }
    }

    private ValueTask FlushIfNeededAsync(CancellationToken cancellationToken) =>
        _json.BytesPending >= _flushThreshold ? new ValueTask(_json.FlushAsync(cancellationToken)) : default;
}
