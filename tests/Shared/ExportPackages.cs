using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Gdpr.Export;
using Json.Schema;

namespace Gdpr.Tests.Shared;

/// <summary>Reads what an export wrote: the JSON document (validated against the schema file), ZIP entries, all text.</summary>
internal static class ExportPackages
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "schemas", "subject-export-v1.schema.json")));

    /// <summary>Asserts that a document validates against subject-export-v1.schema.json (the file itself, not a copy).</summary>
    public static void AssertValid(JsonElement root)
    {
        var result = Schema.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? [result])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}"));
            Assert.Fail("The export does not validate against subject-export-v1.schema.json:\n" + string.Join('\n', errors.Take(20)));
        }
    }

    /// <summary>Parses a JSON export or a ZIP package's manifest, and asserts it validates against the schema file.</summary>
    public static JsonDocument ReadDocument(byte[] export, ExportFormat format)
    {
        var document = JsonDocument.Parse(format == ExportFormat.Zip ? ReadZipEntry(export, "manifest.json") : export);
        AssertValid(document.RootElement);
        return document;
    }

    /// <summary>One entry of a ZIP package, decompressed.</summary>
    public static byte[] ReadZipEntry(byte[] package, string path)
    {
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var entry = zip.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"The package has no entry {path}.");
        using var s = entry.Open();
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The export as text: for a ZIP package, every entry decompressed (and base64), so that no value hides in compression.</summary>
    public static string AllText(byte[] export, ExportFormat format)
    {
        if (format != ExportFormat.Zip)
        {
            return Encoding.UTF8.GetString(export);
        }

        using var zip = new ZipArchive(new MemoryStream(export), ZipArchiveMode.Read);
        var text = new StringBuilder();
        foreach (var entry in zip.Entries)
        {
            var bytes = ReadZipEntry(export, entry.FullName);
            text.Append(Encoding.UTF8.GetString(bytes)).Append('\n').Append(Convert.ToBase64String(bytes)).Append('\n');
        }

        return text.ToString();
    }
}
