using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gdpr.Classification;
using Gdpr.DataSources;
using Gdpr.Export;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

public class ExportRulesTests
{
    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Csv)]
    public async Task ExportAsync_PortabilityScope_HoldsOnlyProvidedValuesOnConsentOrContract_Art20(ExportFormat format)
    {
        var source = new InMemoryDataSource("crm",
        [
            new Row("cust-1", "Customer", "1", "Email", "a@example.org"), // provided, contract: in
            new Row("cust-1", "Customer", "1", "Newsletter", true) { LawfulBasis = LawfulBasis.Consent }, // provided, consent: in
            new Row("cust-1", "Customer", "1", "Segment", "gold") { ProvidedBySubject = false, Category = PersonalDataCategories.Interests }, // inferred: out
            new Row("cust-1", "Invoice", "7", "Amount", 99.5m) { LawfulBasis = LawfulBasis.LegalObligation, Category = PersonalDataCategories.Transaction }, // legal obligation: out
            new Row("cust-1", "Call", "3", "Notes", "angry") { LawfulBasis = LawfulBasis.LegitimateInterests, Category = PersonalDataCategories.AgentNotes }, // legitimate interests: out
            new Row("cust-1", "Order", "5", "DeliveryNote", "ring twice") { LawfulBasis = LawfulBasis.LegitimateInterests }, // out by annotation, in by configuration
            new Row("cust-1", "Customer", "1", "Phone", "+31 20 123 4567") { Category = PersonalDataCategories.Phone }, // in by annotation, out by configuration
        ]);
        await using var provider = BuildProvider(
            o =>
            {
                o.PortabilityOverrides["Order.DeliveryNote"] = true;
                o.PortabilityOverrides["Customer.Phone"] = false;
            },
            source);

        var bytes = await ExportBytesAsync(Exporter(provider), "cust-1", format, ExportKind.Portability);

        IEnumerable<string> members;
        if (format == ExportFormat.Csv)
        {
            members = ParseCsv(bytes).Skip(1).Select(r => r[3]);
        }
        else
        {
            using var document = ReadDocument(bytes, format);
            Assert.Equal("portability", document.RootElement.GetProperty("kind").GetString());
            members = [.. document.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("member").GetString()!)];
        }

        Assert.Equal(["Email", "Newsletter", "DeliveryNote"], members);
    }

    [Fact]
    public async Task ExportAsync_AccessScope_HoldsEveryValueWhateverItsBasis_Art15()
    {
        var source = new InMemoryDataSource("crm",
        [
            new Row("cust-1", "Customer", "1", "Segment", "gold") { ProvidedBySubject = false },
            new Row("cust-1", "Invoice", "7", "Amount", 99.5m) { LawfulBasis = LawfulBasis.LegalObligation },
        ]);
        await using var provider = BuildProvider(o => o.PortabilityOverrides["Invoice.Amount"] = false, source);

        var summary = await Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json);

        Assert.Equal(2, summary.ValueCount);
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Csv)]
    [InlineData(ExportFormat.Zip)]
    public async Task ExportAsync_TwoSubjectsInOneConversation_EachSeesOnlyOwnRows_Art15_4(ExportFormat format)
    {
        // One chat: the customer's messages and the other participant's (a second customer on a shared account).
        var chat = new InMemoryDataSource("chat",
        [
            new Row("cust-1", "ChatMessage", "conv-9/1", "Text", "My order never arrived") { Category = PersonalDataCategories.ChatTranscript },
            new Row("cust-2", "ChatMessage", "conv-9/2", "Text", "I am her husband, my number is 0612345678") { Category = PersonalDataCategories.ChatTranscript },
            new Row("cust-1", "ChatMessage", "conv-9/3", "Text", "Please call me back") { Category = PersonalDataCategories.ChatTranscript },
            new Row("cust-2", "ChatAttachment", "conv-9/4", "File", new byte[] { 9, 9, 9, 9 }) { Category = PersonalDataCategories.EmailBody },
        ]);
        await using var provider = BuildProvider(null, chat);

        var first = AllText(await ExportBytesAsync(Exporter(provider), "cust-1", format), format);
        var second = await ExportBytesAsync(Exporter(provider), "cust-2", format);

        Assert.Contains("My order never arrived", first, StringComparison.Ordinal);
        Assert.Contains("Please call me back", first, StringComparison.Ordinal);
        Assert.DoesNotContain("0612345678", first, StringComparison.Ordinal);
        Assert.DoesNotContain("conv-9/2", first, StringComparison.Ordinal);
        Assert.DoesNotContain("ChatAttachment", first, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String([9, 9, 9, 9]), first, StringComparison.Ordinal);
        if (format != ExportFormat.Csv)
        {
            using var document = ReadDocument(second, format);
            Assert.Equal(["conv-9/2", "conv-9/4"], document.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("record").GetString()));
        }
    }

    [Fact]
    public async Task ExportAsync_SourceReturnsAnotherSubjectsValue_FailsNamingTheSource_Art15_4()
    {
        // A broken source that ignores the subject it is asked for: the exporter must not pass the neighbour's data on.
        var leaky = new Mock<IPersonalDataSource>();
        leaky.SetupGet(s => s.Name).Returns("leaky-index");
        leaky.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(Items(
                InMemoryDataSource.ToItem("leaky-index", new Row("cust-1", "Customer", "1", "Email", "a@example.org"), false, true),
                InMemoryDataSource.ToItem("leaky-index", new Row("cust-2", "Customer", "2", "Email", "b@example.org"), false, true)));
        await using var provider = BuildProvider(null, leaky.Object);
        using var stream = new MemoryStream();

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", stream, ExportFormat.Json));

        Assert.Equal("leaky-index", error.DataSource);
        Assert.Contains("another data subject", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cust-", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("b@example.org", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Csv)]
    [InlineData(ExportFormat.Zip)]
    public async Task ExportAsync_SourceFailsMidway_ThrowsTypedErrorNamingTheSource(ExportFormat format)
    {
        var crm = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]);
        var broken = new Mock<IPersonalDataSource>();
        broken.SetupGet(s => s.Name).Returns("call-recordings");
        broken.Setup(s => s.ExportAsync("cust-1", It.IsAny<CancellationToken>()))
            .Returns(FailAfter(InMemoryDataSource.ToItem("call-recordings", new Row("cust-1", "Call", "1", "Recording", new byte[] { 1, 2 }), false, true), new TimeoutException("storage unreachable")));
        await using var provider = BuildProvider(null, crm, broken.Object);
        using var stream = new MemoryStream();

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", stream, format));

        Assert.Equal("call-recordings", error.DataSource);
        Assert.Contains("'call-recordings'", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.NotNull(error.SubjectPseudonym);
        Assert.DoesNotContain("cust-1", error.Message, StringComparison.Ordinal);
        AssertNotComplete(stream.ToArray(), format);
    }

    [Fact]
    public async Task ExportAsync_SourceReturnsUnsupportedValueType_FailsNamingSourceAndMember()
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Location", new Uri("https://example.org/home"))]);
        await using var provider = BuildProvider(null, source);

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Equal("crm", error.DataSource);
        Assert.Contains("Customer.Location", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_SourceThrowsWhenCalled_ThrowsTypedErrorNamingTheSource()
    {
        var broken = new Mock<IPersonalDataSource>();
        broken.SetupGet(s => s.Name).Returns("search-index");
        broken.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).Throws(new InvalidOperationException("index closed"));
        await using var provider = BuildProvider(null, broken.Object);

        var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Equal("search-index", error.DataSource);
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Csv)]
    [InlineData(ExportFormat.Zip)]
    public async Task ExportToFileAsync_SourceFails_LeavesNoFileAndNoTemporaryFile(ExportFormat format)
    {
        var directory = Directory.CreateTempSubdirectory("gdpr-export-test-");
        try
        {
            var broken = new Mock<IPersonalDataSource>();
            broken.SetupGet(s => s.Name).Returns("call-recordings");
            broken.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                .Returns(FailAfter(InMemoryDataSource.ToItem("call-recordings", new Row("cust-1", "Call", "1", "Notes", "hello"), false, true), new IOException("disk gone")));
            await using var provider = BuildProvider(null, new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]), broken.Object);
            var path = Path.Combine(directory.FullName, "export.out");

            var error = await Assert.ThrowsAsync<PersonalDataExportException>(() => Exporter(provider).ExportToFileAsync("cust-1", path, format));

            Assert.Equal("call-recordings", error.DataSource);
            Assert.Empty(directory.EnumerateFileSystemInfos());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ExportToFileAsync_Cancelled_ThrowsAndLeavesNoFile()
    {
        var directory = Directory.CreateTempSubdirectory("gdpr-export-test-");
        try
        {
            await using var provider = BuildProvider(null, new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]));
            using var cancel = new CancellationTokenSource();
            await cancel.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Exporter(provider).ExportToFileAsync("cust-1", Path.Combine(directory.FullName, "export.json"), ExportFormat.Json, ExportKind.Access, cancel.Token));

            Assert.Empty(directory.EnumerateFileSystemInfos());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ExportToFileAsync_Succeeds_WritesCompleteFileAndNoTemporaryFile()
    {
        var directory = Directory.CreateTempSubdirectory("gdpr-export-test-");
        try
        {
            await using var provider = BuildProvider(null, new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Photo", new byte[] { 1, 2, 3 })]));
            var path = Path.Combine(directory.FullName, "export.zip");
            await File.WriteAllTextAsync(path, "an older export");

            var summary = await Exporter(provider).ExportToFileAsync("cust-1", path, ExportFormat.Zip);

            Assert.Equal(1, summary.FileCount);
            Assert.Equal(["export.zip"], directory.EnumerateFileSystemInfos().Select(f => f.Name));
            using var document = ReadDocument(await File.ReadAllBytesAsync(path), ExportFormat.Zip);
            Assert.True(document.RootElement.GetProperty("summary").GetProperty("complete").GetBoolean());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ExportAsync_ControllerNotConfigured_FailsWithMessageNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IPersonalDataExporter>().ExportAsync("cust-1", Stream.Null, ExportFormat.Json));

        Assert.Contains("ExportOptions.Controller.Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExportOptions.Controller.Contact", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureExport_MissingControllerContact_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores().ConfigureExport(o => o.Controller.Name = "Example B.V.");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ExportOptions.Controller.Contact", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Controller.Name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureExport_MalformedPortabilityOverride_FailsAtStart()
    {
        await using var provider = BuildProvider(o => o.PortabilityOverrides["Email"] = true);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'Email' must be 'Entity.Member'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task ExportAsync_EmptySubjectId_ThrowsArgumentException(string subjectId)
    {
        await using var provider = BuildProvider();

        await Assert.ThrowsAsync<ArgumentException>(() => Exporter(provider).ExportAsync(subjectId, Stream.Null, ExportFormat.Json));
    }

    [Fact]
    public async Task Schema_RejectsAnErasedValueThatCarriesAValue()
    {
        // The schema is the contract the tests hold exports to: make sure it can say no.
        await using var provider = BuildProvider(null, new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Email", "a@example.org")]));
        using var valid = ReadDocument(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Json), ExportFormat.Json);
        var node = JsonNode.Parse(valid.RootElement.GetRawText())!;
        node["values"]![0]!["erased"] = true;

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertValid(JsonDocument.Parse(node.ToJsonString()).RootElement));
    }

    private static void AssertNotComplete(byte[] written, ExportFormat format)
    {
        // What was still buffered when the source failed is dropped, not flushed after the failure.
        Assert.DoesNotContain("a@example.org", System.Text.Encoding.UTF8.GetString(written), StringComparison.Ordinal);
        switch (format)
        {
            case ExportFormat.Json:
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(written));
                break;
            case ExportFormat.Zip:
                Assert.ThrowsAny<InvalidDataException>(() => new System.IO.Compression.ZipArchive(new MemoryStream(written)));
                break;
            default:
                // CSV has no end marker: the typed error is the signal, and ExportToFileAsync never shows the file.
                Assert.DoesNotContain("call-recordings", System.Text.Encoding.UTF8.GetString(written), StringComparison.Ordinal);
                break;
        }
    }

    private static async IAsyncEnumerable<PersonalDataItem> Items(params PersonalDataItem[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    private static async IAsyncEnumerable<PersonalDataItem> FailAfter(PersonalDataItem item, Exception failure, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        yield return item;
        throw failure;
    }
}
