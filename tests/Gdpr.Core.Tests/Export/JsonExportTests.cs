using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml;
using Gdpr.Classification;
using Gdpr.DataSources;
using Gdpr.Export;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

public class JsonExportTests
{
    private static readonly DateTimeOffset Collected = new(2024, 3, 1, 10, 30, 0, TimeSpan.FromHours(1));

    /// <summary>Every type the SDK can store, with a value that would expose a lossy conversion.</summary>
    public static readonly TheoryData<string, object> Values = new()
    {
        { "string", "Zoë \"de\" Vries, Straße 1\nline two" },
        { "binary", new byte[] { 0, 1, 2, 254, 255 } },
        { "int", 42 },
        { "long", long.MaxValue },
        { "short", (short)-12 },
        { "byte", (byte)200 },
        { "decimal", 12345678901234.5678901234m },
        { "bool", true },
        { "double", 0.1 },
        { "dateTimeUtc", new DateTime(2024, 2, 29, 13, 45, 12, DateTimeKind.Utc).AddTicks(1234567) },
        { "dateTimeUnspecified", new DateTime(1990, 5, 17, 8, 0, 0, DateTimeKind.Unspecified) },
        { "dateTimeOffset", new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(1) },
        { "dateOnly", new DateOnly(1985, 7, 4) },
        { "timeOnly", new TimeOnly(14, 5, 6, 789) },
        { "timeSpan", new TimeSpan(1, 2, 3, 4, 500) },
        { "guid", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e") },
        { "enum", DayOfWeek.Friday },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task ExportAsync_EveryValueType_RoundTripsThroughJsonAndZip(string name, object original)
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", name, original)]);
        await using var provider = BuildProvider(null, source);
        foreach (var format in new[] { ExportFormat.Json, ExportFormat.Zip })
        {
            var bytes = await ExportBytesAsync(Exporter(provider), "cust-1", format);
            using var document = ReadDocument(bytes, format);
            var value = document.RootElement.GetProperty("values")[0];
            var type = value.GetProperty("type").GetString();
            object back = type switch
            {
                "binary" when format == ExportFormat.Zip => ReadZipEntry(bytes, value.GetProperty("file").GetProperty("path").GetString()!),
                "binary" => value.GetProperty("value").GetBytesFromBase64(),
                "string" => value.GetProperty("value").GetString()!,
                "integer" => Convert.ChangeType(value.GetProperty("value").GetInt64(), original.GetType(), CultureInfo.InvariantCulture),
                "decimal" => value.GetProperty("value").GetDecimal(),
                "number" => value.GetProperty("value").GetDouble(),
                "boolean" => value.GetProperty("value").GetBoolean(),
                "dateTime" => value.GetProperty("value").GetDateTime(),
                "dateTimeOffset" => value.GetProperty("value").GetDateTimeOffset(),
                "date" => DateOnly.ParseExact(value.GetProperty("value").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                "time" => TimeOnly.Parse(value.GetProperty("value").GetString()!, CultureInfo.InvariantCulture),
                "duration" => XmlConvert.ToTimeSpan(value.GetProperty("value").GetString()!),
                "uuid" => value.GetProperty("value").GetGuid(),
                "enum" => Enum.Parse(original.GetType(), value.GetProperty("value").GetString()!),
                _ => throw new Xunit.Sdk.XunitException($"unexpected type {type}"),
            };

            Assert.Equal(original, back);
            if (original is DateTime dt)
            {
                Assert.Equal(dt.Kind, ((DateTime)back).Kind);
            }

            if (original is DateTimeOffset dto)
            {
                Assert.Equal(dto.Offset, ((DateTimeOffset)back).Offset);
            }

            if (original is byte[] file)
            {
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), value.GetProperty("file").GetProperty("sha256").GetString());
                Assert.Equal(file.Length, value.GetProperty("file").GetProperty("size").GetInt32());
            }
        }
    }

    [Fact]
    public async Task ExportAsync_Head_CarriesWhatArt15_1Requires()
    {
        var source = new InMemoryDataSource("crm",
        [
            new Row("cust-1", "Customer", "1", "Email", "a@example.org") { CollectedAt = Collected, ModifiedAt = Collected.AddDays(3) },
            new Row("cust-1", "Invoice", "INV-7", "Iban", "NL91ABNA0417164300")
            {
                Category = PersonalDataCategories.PaymentDetails,
                RetentionPolicy = "tax",
                Purposes = ["billing"],
                LawfulBasis = LawfulBasis.LegalObligation,
                ProvidedBySubject = false,
            },
        ]);
        await using var provider = BuildProvider(null, source);

        using var document = ReadDocument(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Json), ExportFormat.Json);
        var root = document.RootElement;

        Assert.Equal("1.0", root.GetProperty("formatVersion").GetString());
        Assert.Equal("access", root.GetProperty("kind").GetString());
        Assert.Equal(Now, root.GetProperty("generatedAt").GetDateTimeOffset());
        Assert.Equal("Example Contact Center B.V.", root.GetProperty("controller").GetProperty("name").GetString());
        Assert.Equal("dpo@example.org", root.GetProperty("dataProtectionOfficer").GetProperty("contact").GetString()); // Art. 37(7)
        Assert.Contains(root.GetProperty("purposes").EnumerateArray(), p => p.GetProperty("id").GetString() == "billing"); // (a)
        Assert.Equal("Payment service provider", root.GetProperty("recipients")[0].GetProperty("name").GetString()); // (c)
        var tax = root.GetProperty("retentionPolicies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "tax"); // (d)
        Assert.Equal("P7Y", tax.GetProperty("period").GetString());
        Assert.True(tax.GetProperty("legalObligation").GetBoolean());
        var rights = root.GetProperty("rights").EnumerateArray().ToDictionary(r => r.GetProperty("right").GetString()!, r => r.GetProperty("article").GetString()); // (e)
        Assert.Equal("Art. 16", rights["rectification"]);
        Assert.Equal("Art. 17", rights["erasure"]);
        Assert.Equal("Art. 18", rights["restriction"]);
        Assert.Equal("Art. 21", rights["objection"]);
        Assert.Equal("Autoriteit Persoonsgegevens", root.GetProperty("supervisoryAuthority").GetProperty("name").GetString()); // (f), Art. 77
        Assert.Equal("Your bank, when a payment is made", root.GetProperty("sourcesOfData")[0].GetProperty("source").GetString()); // (g)
        Assert.False(root.GetProperty("automatedDecisionMaking").GetProperty("exists").GetBoolean()); // (h)
        var categories = root.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("displayName").GetString()).ToList(); // (b)
        Assert.Equal(["E-mail address", "Payment details"], categories);

        var email = root.GetProperty("values")[0];
        Assert.Equal("crm", email.GetProperty("source").GetString());
        Assert.Equal("Customer", email.GetProperty("entity").GetString());
        Assert.Equal("Email", email.GetProperty("member").GetString());
        Assert.Equal("E-mail address", email.GetProperty("categoryName").GetString());
        Assert.Equal("contract", email.GetProperty("lawfulBasis").GetString());
        Assert.Equal(Collected, email.GetProperty("collectedAt").GetDateTimeOffset());
        Assert.Equal(Collected.AddDays(3), email.GetProperty("modifiedAt").GetDateTimeOffset());
        var iban = root.GetProperty("values")[1];
        Assert.Equal("INV-7", iban.GetProperty("record").GetString());
        Assert.Equal(["billing"], iban.GetProperty("purposes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("legalObligation", iban.GetProperty("lawfulBasis").GetString());
        Assert.Equal("tax", iban.GetProperty("retention").GetProperty("policy").GetString());
        Assert.Equal("P7Y", iban.GetProperty("retention").GetProperty("period").GetString());
        Assert.Equal("Dutch AWR art. 52 (7-year fiscal retention)", iban.GetProperty("retention").GetProperty("legalBasis").GetString());
        Assert.False(iban.GetProperty("providedBySubject").GetBoolean());
        Assert.True(root.GetProperty("summary").GetProperty("complete").GetBoolean());
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    [InlineData(ExportFormat.Csv)]
    public async Task ExportAsync_DestroyedScope_AppearsErasedNeverAsCiphertext(ExportFormat format)
    {
        // Art. 17: after crypto-shredding the value existed but nobody can read it; the export says so and no more.
        var ciphertext = RandomNumberGenerator.GetBytes(48);
        var erasedByMistake = new PersonalDataItem
        {
            Source = "recordings", Entity = "Call", Member = "Recording", Category = PersonalDataCategories.CallRecording,
            RetentionPolicy = "default", IsErased = true, Value = ciphertext,
        };
        var crm = new InMemoryDataSource("crm",
        [
            new Row("cust-1", "Customer", "1", "Email", "a@example.org"),
            new Row("cust-1", "Customer", "1", "Profile", "likes-golf") { Category = PersonalDataCategories.Interests, RetentionPolicy = "marketing" },
        ]);
        await crm.EraseAsync("cust-1", new DataSourceErasureRequest(new HashSet<string> { "marketing" }, new HashSet<string>()));
        var recordings = new ListDataSource("recordings", erasedByMistake);
        await using var provider = BuildProvider(null, crm, recordings);

        var bytes = await ExportBytesAsync(Exporter(provider), "cust-1", format);

        var text = AllText(bytes, format);
        Assert.DoesNotContain(Convert.ToBase64String(ciphertext), text, StringComparison.Ordinal);
        Assert.DoesNotContain("likes-golf", text, StringComparison.Ordinal);
        if (format == ExportFormat.Csv)
        {
            var rows = ParseCsv(bytes);
            var erased = rows.Skip(1).Where(r => r[8] == "true").ToList();
            Assert.Equal(["Profile", "Recording"], erased.Select(r => r[3]));
            Assert.All(erased, r => Assert.Equal(string.Empty, r[7]));
            return;
        }

        using var document = ReadDocument(bytes, format);
        var values = document.RootElement.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal([false, true, true], values.Select(v => v.GetProperty("erased").GetBoolean()));
        Assert.All(values.Skip(1), v => Assert.False(v.TryGetProperty("value", out _) || v.TryGetProperty("file", out _)));
        Assert.Equal(2, document.RootElement.GetProperty("summary").GetProperty("erasedCount").GetInt32());
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    [InlineData(ExportFormat.Csv)]
    public async Task ExportAsync_UnknownSubject_GivesEmptyButValidPackage(ExportFormat format)
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]);
        await using var provider = BuildProvider(null, source);

        using var stream = new MemoryStream();
        var summary = await Exporter(provider).ExportAsync("nobody", stream, format);

        Assert.Equal(new ExportSummary(0, 0, 0), summary);
        if (format == ExportFormat.Csv)
        {
            Assert.Equal([CsvHeader()], ParseCsv(stream.ToArray()).Select(r => string.Join(',', r)));
            return;
        }

        using var document = ReadDocument(stream.ToArray(), format);
        Assert.Equal(0, document.RootElement.GetProperty("values").GetArrayLength());
        Assert.Equal("Example Contact Center B.V.", document.RootElement.GetProperty("controller").GetProperty("name").GetString());
        Assert.Equal(["crm"], document.RootElement.GetProperty("summary").GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task ExportAsync_ZipPackage_HoldsFilesByPathAndSha256BesideManifest()
    {
        var recording = RandomNumberGenerator.GetBytes(300_000);
        var attachment = Encoding.UTF8.GetBytes("invoice dispute, see attached");
        var source = new InMemoryDataSource("calls",
        [
            new Row("cust-1", "Call", "c-1", "Recording", recording) { Category = PersonalDataCategories.CallRecording },
            new Row("cust-1", "Mail/../..", "m-1", "Attachment", attachment) { Category = PersonalDataCategories.EmailBody },
            new Row("cust-1", "Call", "c-1", "Notes", "called about invoice") { Category = PersonalDataCategories.AgentNotes },
        ]);
        await using var provider = BuildProvider(null, source);

        var bytes = await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Zip);

        using var document = ReadDocument(bytes, ExportFormat.Zip);
        var files = document.RootElement.GetProperty("values").EnumerateArray()
            .Where(v => v.TryGetProperty("file", out _)).Select(v => v.GetProperty("file")).ToList();
        Assert.Equal(["files/1-Call-Recording.bin", "files/2-Mail______-Attachment.bin"], files.Select(f => f.GetProperty("path").GetString()));
        foreach (var (file, original) in files.Zip([recording, attachment]))
        {
            var stored = ReadZipEntry(bytes, file.GetProperty("path").GetString()!);
            Assert.Equal(original, stored);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), file.GetProperty("sha256").GetString());
        }

        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes));
        Assert.Equal(["files/1-Call-Recording.bin", "files/2-Mail______-Attachment.bin", "manifest.json"], zip.Entries.Select(e => e.FullName));
        Assert.Equal(2, document.RootElement.GetProperty("summary").GetProperty("fileCount").GetInt32());
    }

    [Fact]
    public async Task ExportAsync_CallerStream_IsLeftOpenAndSummaryCountsValues()
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org"), new Row("cust-1", "Customer", "1", "Photo", new byte[] { 1 })]);
        await using var provider = BuildProvider(null, source);
        using var stream = new MemoryStream();

        var summary = await Exporter(provider).ExportAsync("cust-1", stream, ExportFormat.Zip);

        Assert.Equal(new ExportSummary(2, 0, 1), summary);
        Assert.True(stream.CanWrite);
    }

    internal static string CsvHeader() => string.Join(',', CsvExportWriter.Columns);
}

/// <summary>A source that yields fixed items, whatever the subject: only for items no real source would build.</summary>
internal sealed class ListDataSource(string name, params PersonalDataItem[] items) : IPersonalDataSource
{
    public string Name { get; } = name;

    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new DataSourceErasureResult(
            Name, items.Length, items.Select(i => i.RetentionPolicy).ToHashSet(StringComparer.Ordinal), RowsDeleted: 0, ValuesReplaced: 0));
}
