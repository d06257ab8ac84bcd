using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gdpr.Erasure;
using Gdpr.Export;
using Gdpr.Storage.EfCore;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Gdpr.Storage.EfCore.Tests.TestModel;
using static Gdpr.Tests.Shared.ExportPackages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>
/// Subject access and portability exports (GDPR Art. 15, Art. 20) read through the EF Core data source from a real
/// SQLite file, with the key store in the same database. Every export is validated against the schema file itself.
/// </summary>
public sealed class EfExportTests : IAsyncLifetime, IDisposable
{
    private readonly SqliteContactCenterDatabase _database = new();
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _services = ContactCenterHost.Build(_database.Configure, _database.KeyRingDirectory, new FakeTimeProvider(ContactCenterHost.Day0));
        await ContactCenterHost.CreateTablesAsync(_services);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    public void Dispose() => _database.Dispose(); // after DisposeAsync: the application's connections are closed


    private IPersonalDataExporter Exporter => _services.GetRequiredService<IPersonalDataExporter>();

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    public async Task Export_Art15_EverySupportedValueType_RoundTripsFromTheDatabase(ExportFormat format)
    {
        var stored = Sample("cust-types");
        await _services.WithContextAsync(async db =>
        {
            db.TypeSamples.Add(stored);
            db.TypeSamples.Add(Sample("cust-other")); // same table, another subject: must not appear
            await db.SaveChangesAsync();
        });

        var bytes = await ExportAsync("cust-types", format);
        using var document = ReadDocument(bytes, format);

        var values = document.RootElement.GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("member").GetString()!);
        var members = typeof(TypeSample).GetProperties().Where(p => p.Name != nameof(TypeSample.Id) && p.Name != nameof(TypeSample.Subject)).ToList();
        Assert.Equal(members.Count, values.Count);
        Assert.Equal(members.Count, document.RootElement.GetProperty("summary").GetProperty("valueCount").GetInt32());
        foreach (var property in members)
        {
            var original = property.GetValue(stored)!;
            var value = values[property.Name];
            Assert.Equal(("efcore:ContactCenterContext", "TypeSample"), (value.GetProperty("source").GetString(), value.GetProperty("entity").GetString()));
            Assert.False(value.GetProperty("erased").GetBoolean());
            var back = Parse(value, original.GetType(), bytes, format);
            Assert.True(Equivalent(original, back), $"{property.Name} did not round-trip through the {format} export");
            if (original is DateTime when)
            {
                Assert.Equal(when.Kind, ((DateTime)back).Kind);
            }

            if (original is DateTimeOffset offset)
            {
                Assert.Equal(offset.Offset, ((DateTimeOffset)back).Offset);
            }
        }
    }

    // Art. 17: once a scope's key is destroyed its values are exported as erased, with no value and no ciphertext;
    // the tax scope kept under Art. 17(3)(b) is still exported in full.
    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    [InlineData(ExportFormat.Csv)]
    public async Task Export_Art17_AfterErasure_DestroyedValuesAppearErasedNeverAsCiphertext(ExportFormat format)
    {
        await SeedShopperAsync("cust-1");
        var shopper = await _services.WithContextAsync(db => db.Shoppers.AsNoTracking().Where(s => s.CustomerNumber == "cust-1")
            .Select(s => EF.Property<byte[]>(s, StoredEnvelopes.Column)).SingleAsync());
        var envelopes = new[] { StoredEnvelopes.Of(shopper, "marketing")! }; // the newsletter e-mail and interests, one record
        var audio = GdprEfCore.ReadEnvelopes(await _services.WithContextAsync(db => db.CallRecordings.AsNoTracking().Where(r => r.CustomerNumber == "cust-1")
            .Select(r => EF.Property<byte[]>(r, StoredEnvelopes.Column)).SingleAsync())).Values.Single().ToArray();

        var erasure = await _services.GetRequiredService<IErasureService>().EraseAsync("cust-1");
        Assert.True(erasure.IsComplete);

        var bytes = await ExportAsync("cust-1", format);
        var text = AllText(bytes, format);
        foreach (var ciphertext in envelopes.Append(audio))
        {
            Assert.DoesNotContain(Convert.ToBase64String(ciphertext), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(ciphertext.AsSpan(ciphertext.Length - 24)), text, StringComparison.Ordinal); // any tail of it
        }

        Assert.DoesNotContain("cust-1@example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[erased]", text, StringComparison.Ordinal); // the replacement is what the application reads, not the subject's data
        Assert.Contains("Invoice name of cust-1", text, StringComparison.Ordinal);

        if (format == ExportFormat.Csv)
        {
            return; // the CSV's erased column is checked by the Core tests; here: no value and no ciphertext above
        }

        using var document = ReadDocument(bytes, format);
        var values = document.RootElement.GetProperty("values").EnumerateArray()
            .ToDictionary(v => v.GetProperty("entity").GetString() + "." + v.GetProperty("member").GetString());
        Assert.Equal(["CallRecording.Audio", "Shopper.Interests", "Shopper.InvoiceAddress", "Shopper.InvoiceName", "Shopper.NewsletterEmail"], values.Keys.Order(StringComparer.Ordinal));
        foreach (var erased in new[] { "CallRecording.Audio", "Shopper.Interests", "Shopper.NewsletterEmail" })
        {
            Assert.True(values[erased].GetProperty("erased").GetBoolean(), erased);
            Assert.False(values[erased].TryGetProperty("value", out _) || values[erased].TryGetProperty("file", out _), erased);
        }

        Assert.False(values["Shopper.InvoiceName"].GetProperty("erased").GetBoolean());
        Assert.Equal("Invoice name of cust-1", values["Shopper.InvoiceName"].GetProperty("value").GetString());
        Assert.Equal("tax", values["Shopper.InvoiceName"].GetProperty("retention").GetProperty("policy").GetString());
        Assert.Equal(3, document.RootElement.GetProperty("summary").GetProperty("erasedCount").GetInt32());
    }

    // Art. 15(4): the copy must not adversely affect others. Two customers wrote in the same conversation; each
    // export holds the exporting customer's own messages only.
    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Zip)]
    [InlineData(ExportFormat.Csv)]
    public async Task Export_Art15_4_TwoSubjectsInOneConversation_SeeOnlyTheirOwnMessages(ExportFormat format)
    {
        var conversation = Guid.NewGuid();
        await _services.WithContextAsync(async db =>
        {
            for (var i = 0; i < 6; i++)
            {
                var sender = i % 2 == 0 ? "cust-anna" : "cust-bert";
                db.ChatMessages.Add(new ChatMessage { ConversationId = conversation, SenderId = sender, Text = $"message {i} by {sender}" });
            }

            await db.SaveChangesAsync();
        });

        foreach (var (subject, other) in new[] { ("cust-anna", "cust-bert"), ("cust-bert", "cust-anna") })
        {
            var bytes = await ExportAsync(subject, format);
            var text = AllText(bytes, format);
            Assert.DoesNotContain($"by {other}", text, StringComparison.Ordinal);
            var own = Enumerable.Range(0, 6).Where(i => (i % 2 == 0) == (subject == "cust-anna")).Select(i => $"message {i} by {subject}").ToList();
            Assert.All(own, message => Assert.Contains(message, text, StringComparison.Ordinal));
            if (format != ExportFormat.Csv)
            {
                using var document = ReadDocument(bytes, format);
                var texts = document.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("value").GetString()!).ToList();
                Assert.Equal(own, texts);
            }
        }
    }

    [Fact]
    public async Task Export_Zip_CallRecording_LandsInThePackageWithItsSha256()
    {
        var recording = RandomNumberGenerator.GetBytes(200_000); // a few seconds of audio
        await _services.WithContextAsync(async db =>
        {
            db.CallRecordings.Add(new CallRecording { CustomerNumber = "cust-caller", Audio = recording });
            db.CallRecordings.Add(new CallRecording { CustomerNumber = "cust-someone-else", Audio = [9, 9, 9] });
            await db.SaveChangesAsync();
        });

        var package = await ExportAsync("cust-caller", ExportFormat.Zip);
        using var document = ReadDocument(package, ExportFormat.Zip);

        var value = Assert.Single(document.RootElement.GetProperty("values").EnumerateArray());
        Assert.Equal(("binary", "communication.call-recording"), (value.GetProperty("type").GetString(), value.GetProperty("category").GetString()));
        Assert.False(value.TryGetProperty("value", out _)); // in the package, not inline
        var file = value.GetProperty("file");
        var entry = ReadZipEntry(package, file.GetProperty("path").GetString()!);
        Assert.Equal(recording, entry);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(recording)), file.GetProperty("sha256").GetString());
        Assert.Equal(recording.Length, file.GetProperty("size").GetInt32());
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        Assert.Equal([file.GetProperty("path").GetString(), "manifest.json"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
    }

    private async Task SeedShopperAsync(string subject)
    {
        await _services.WithContextAsync(async db =>
        {
            db.Shoppers.Add(new Shopper
            {
                CustomerNumber = subject,
                NewsletterEmail = $"{subject}@example.org",
                Interests = "cycling, opera",
                InvoiceName = $"Invoice name of {subject}",
                InvoiceAddress = "Keizersgracht 1, Amsterdam",
            });
            db.CallRecordings.Add(new CallRecording { CustomerNumber = subject, Audio = RandomNumberGenerator.GetBytes(64) });
            await db.SaveChangesAsync();
        });
    }

    private async Task<byte[]> ExportAsync(string subjectId, ExportFormat format)
    {
        using var stream = new MemoryStream();
        await Exporter.ExportAsync(subjectId, stream, format);
        return stream.ToArray();
    }

    private static object Parse(JsonElement value, Type type, byte[] export, ExportFormat format)
    {
        var json = value.TryGetProperty("value", out var v) ? v : default;
        return value.GetProperty("type").GetString() switch
        {
            "binary" when format == ExportFormat.Zip => ReadZipEntry(export, value.GetProperty("file").GetProperty("path").GetString()!),
            "binary" => json.GetBytesFromBase64(),
            "string" => json.GetString()!,
            "integer" when type == typeof(ulong) => json.GetUInt64(),
            "integer" => Convert.ChangeType(json.GetInt64(), type, CultureInfo.InvariantCulture),
            "decimal" => json.GetDecimal(),
            "boolean" => json.GetBoolean(),
            "dateTime" => json.GetDateTime(),
            "dateTimeOffset" => json.GetDateTimeOffset(),
            "date" => DateOnly.ParseExact(json.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            "uuid" => json.GetGuid(),
            "enum" => Enum.Parse(type, json.GetString()!),
            var other => throw new Xunit.Sdk.XunitException($"unexpected type {other}"),
        };
    }

    private static bool Equivalent(object expected, object actual)
        => expected is byte[] a && actual is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(expected, actual);

    /// <summary>Every supported member type with a value that would expose a lossy conversion; nullable forms set.</summary>
    private static TypeSample Sample(string subject) => new()
    {
        Subject = subject,
        Text = "Zoë \"de\" Vries, Straße 1\nline two ✓",
        Bytes = [0, 1, 2, 254, 255],
        U8 = 200,
        I8 = -100,
        I16 = -30000,
        U16 = 60000,
        I32 = int.MinValue,
        U32 = uint.MaxValue,
        I64 = long.MinValue,
        U64 = ulong.MaxValue,
        Dec = 12345678901234.5678901234m,
        Flag = true,
        When = new DateTime(2024, 2, 29, 13, 45, 12, DateTimeKind.Utc).AddTicks(1234567),
        WhenOffset = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(1),
        Day = new DateOnly(1980, 2, 29),
        Token = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Tier = Tier.Gold,
        NText = "nullable text",
        NBytes = [9, 8, 7],
        NU8 = 1,
        NI8 = -1,
        NI16 = -2,
        NU16 = 2,
        NI32 = -3,
        NU32 = 3,
        NI64 = -4,
        NU64 = 4,
        NDec = -0.5m,
        NFlag = false,
        NWhen = new DateTime(1990, 5, 17, 8, 0, 0, DateTimeKind.Unspecified),
        NWhenOffset = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(2)),
        NDay = new DateOnly(2000, 1, 1),
        NToken = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        NTier = Tier.Basic,
    };
}
