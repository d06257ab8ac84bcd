using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>
/// The sample's verbs end to end, each as its own process on one SQLite file (the folder is shared by the tests of
/// this class, which run in order: xunit runs the tests of a class sequentially).
/// </summary>
public sealed class SampleVerbTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gdpr-sample-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<(int ExitCode, string Out, string Error)> Run(params string[] args) => SampleProcess.RunAsync(_folder, args);

    [Fact]
    public async Task Demo_OnAFreshFolder_ShowsCiphertextErasesRetainsAndVerifies()
    {
        var (exit, output, error) = await Run();

        Assert.True(exit == 0, error);
        Assert.Contains("The address in plaintext anywhere in the database file: no", output, StringComparison.Ordinal);
        Assert.Contains("scope marketing  destroyed", output, StringComparison.Ordinal);
        // Art. 17(3)(b) and Dutch AWR art. 52: the invoices stay readable for seven years after the erasure.
        Assert.Contains("scope tax        retained until " + DateTime.UtcNow.AddYears(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        Assert.Contains("Customer.Email:        reads as \"[erased]\"", output, StringComparison.Ordinal);
        Assert.Contains("Invoice.Amount:        readable", output, StringComparison.Ordinal);
        Assert.Contains("Signature verifies", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "contact-center.db")));
    }

    [Fact]
    public async Task Find_ByPhoneInAnotherNotationAndByEmail_FindsTheCustomer_AndNothingAfterTheErasure_Art17()
    {
        // Customer 2's seeded phone is "+31 6 10015838" and e-mail "<given>.2@mail.example" (FakePerson).
        Assert.Equal(0, (await Run("seed", "--customers", "3")).ExitCode);
        var byPhone = await Run("find", "--phone", "06-1001 5838");
        Assert.True(byPhone.ExitCode == 0, byPhone.Error);
        Assert.Equal(["C-0002"], Lines(byPhone.Out));

        var export = await Run("export", "--subject", "C-0002", "--out", "c2.json");
        Assert.Equal(0, export.ExitCode);
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c2.json"))))
        {
            var email = json.RootElement.GetProperty("values").EnumerateArray().First(v => v.GetProperty("member").GetString() == "Email").GetProperty("value").GetString()!;
            Assert.Equal(["C-0002"], Lines((await Run("find", "--email", " " + email.ToUpperInvariant() + " ")).Out));
        }

        Assert.Equal(0, (await Run("erase", "--subject", "C-0002", "--certificate", "c2-erasure.json")).ExitCode);
        Assert.Equal(["No customer found."], Lines((await Run("find", "--phone", "+31610015838")).Out));

        var both = await Run("find", "--phone", "06-10015838", "--email", "x@example.org");
        Assert.Equal(2, both.ExitCode);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Verbs_SeedSubjectsExportEraseVerifySweepRotate_WorkTogether()
    {
        Assert.Equal(0, (await Run("seed", "--customers", "3")).ExitCode);
        var subjects = (await Run("subjects")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["C-0001", "C-0002", "C-0003"], subjects);

        // Access (Art. 15) in all three formats.
        Assert.Equal(0, (await Run("export", "--subject", "C-0002", "--out", "c2.json")).ExitCode);
        Assert.Equal(0, (await Run("export", "--subject", "C-0002", "--out", "c2.csv")).ExitCode);
        Assert.Equal(0, (await Run("export", "--subject", "C-0002", "--out", "c2.zip")).ExitCode);
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c2.json"))))
        {
            Assert.True(CountValues(json.RootElement) >= 14);
        }

        Assert.StartsWith("source,", (await File.ReadAllLinesAsync(Path.Combine(_folder, "c2.csv")))[0].TrimStart('\uFEFF'), StringComparison.Ordinal);
        using (var zip = ZipFile.OpenRead(Path.Combine(_folder, "c2.zip")))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "manifest.json");
            Assert.Contains(zip.Entries, e => e.FullName.StartsWith("files/", StringComparison.Ordinal));
        }

        // Erasure (Art. 17) with a certificate anyone can verify with the public key.
        var erase = await Run("erase", "--subject", "C-0002", "--certificate", "c2-erasure.json");
        Assert.True(erase.ExitCode == 0, erase.Error);
        // The sample says what the erasure came to and whether the destroyed keys are gone from the files, so that an
        // operator never reads a certificate as more than it proves.
        Assert.Contains("outcome  Erased; destroyed keys physically removed from the key store's files: Removed", erase.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("public-key", "--out", "signing.pem")).ExitCode);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", await File.ReadAllTextAsync(Path.Combine(_folder, "signing.pem")), StringComparison.Ordinal);
        var verify = await Run("verify", "--certificate", "c2-erasure.json", "--public-key", "signing.pem");
        Assert.True(verify.ExitCode == 0, verify.Error);

        // A changed certificate does not verify.
        var certificate = await File.ReadAllBytesAsync(Path.Combine(_folder, "c2-erasure.json"));
        certificate[certificate.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(Path.Combine(_folder, "c2-erasure.json"), certificate);
        var tampered = await Run("verify", "--certificate", "c2-erasure.json", "--public-key", "signing.pem");
        Assert.Equal(1, tampered.ExitCode);

        // After the erasure, the export shows the erasable values as erased and the tax values as readable.
        Assert.Equal(0, (await Run("export", "--subject", "C-0002", "--out", "c2-after.json")).ExitCode);
        using (var after = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c2-after.json"))))
        {
            var values = Values(after.RootElement);
            Assert.Contains(values, v => v.GetProperty("member").GetString() == "Email" && v.GetProperty("erased").GetBoolean());
            Assert.Contains(values, v => v.GetProperty("member").GetString() == "Amount" && !v.GetProperty("erased").GetBoolean());
        }

        // Key-encryption-key rotation keeps everything readable.
        var rotate = await Run("rotate-kek");
        Assert.True(rotate.ExitCode == 0, rotate.Error);
        Assert.Contains("rewrapped", rotate.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("export", "--subject", "C-0001", "--out", "c1.json")).ExitCode);
        using (var c1 = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c1.json"))))
        {
            Assert.DoesNotContain(Values(c1.RootElement), v => v.GetProperty("erased").GetBoolean());
        }

        // An erased customer is marked in the list; the others are not.
        var listed = (await Run("subjects")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("C-0001", listed[0]);
        Assert.StartsWith("C-0002  erased", listed[1], StringComparison.Ordinal);
        Assert.Equal("C-0003", listed[2]);

        // Seven years and a day later the tax scope is due (Art. 5(1)(e)); without --apply the sweep only shows it.
        var later = DateTime.UtcNow.AddYears(7).AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var preview = await Run("sweep", "--now", later);
        Assert.True(preview.ExitCode == 0, preview.Error);
        Assert.Contains("C-0002 scope tax", preview.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was destroyed", preview.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("export", "--subject", "C-0002", "--out", "c2-after-preview.json")).ExitCode);
        using (var afterPreview = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c2-after-preview.json"))))
        {
            Assert.Contains(Values(afterPreview.RootElement), v => v.GetProperty("member").GetString() == "Amount" && !v.GetProperty("erased").GetBoolean());
        }

        // Destroying "as of" a future date would date tombstones in the future: refused.
        var future = await Run("sweep", "--apply", "--now", later);
        Assert.Equal(2, future.ExitCode);
        Assert.Contains("--now only previews", future.Error, StringComparison.Ordinal);

        // --apply today: nothing is due yet, nothing destroyed, the tax values stay readable.
        var applied = await Run("sweep", "--apply");
        Assert.True(applied.ExitCode == 0, applied.Error);
        Assert.Contains(" 0 scope(s) destroyed", applied.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_LeavesNoPlaintextOfTheErasableData_InTheSqliteFiles()
    {
        Assert.Equal(0, (await Run("seed", "--customers", "2")).ExitCode);
        Assert.Equal(0, (await Run("export", "--subject", "C-0001", "--out", "before.json")).ExitCode);
        string[] erasable;
        using (var before = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "before.json"))))
        {
            erasable = Values(before.RootElement)
                .Where(v => v.GetProperty("retention").GetProperty("policy").GetString() != "tax" && v.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                .Select(v => v.GetProperty("value").GetString()!)
                .Where(s => s.Length >= 6)
                .ToArray();
        }

        Assert.NotEmpty(erasable);
        File.Delete(Path.Combine(_folder, "before.json"));

        Assert.Equal(0, (await Run("erase", "--subject", "C-0001", "--certificate", "erasure.json")).ExitCode);

        var files = Directory.GetFiles(_folder, "contact-center.db*").Where(File.Exists).ToList();
        Assert.Contains(files, f => f.EndsWith("contact-center.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var value in erasable)
            {
                // Never print the value itself: say which file and how long the value was.
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"{Path.GetFileName(file)} holds a plaintext value ({value.Length} characters) of the erased customer.");
            }
        }
    }

    [Theory]
    [InlineData(new[] { "export", "--subject", "C-9999", "--out", "x.json" }, 2)]
    [InlineData(new[] { "erase", "--subject", "C-9999", "--certificate", "x.json" }, 2)]
    [InlineData(new[] { "verify", "--certificate", "missing.json", "--public-key", "missing.pem" }, 2)]
    [InlineData(new[] { "sweep", "--now", "31-12-2030" }, 2)]
    [InlineData(new[] { "frobnicate" }, 2)]
    [InlineData(new[] { "export", "--subject", "C-0001" }, 2)]
    [InlineData(new[] { "seed", "--customers", "many" }, 2)]
    [InlineData(new[] { "subjects", "--db", "/no/such/folder/x.db" }, 2)]
    public async Task BadInput_GivesOneLineOnStderr_AndANonZeroExit(string[] args, int expectedExit)
    {
        var (exit, _, error) = await Run(args);

        Assert.Equal(expectedExit, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("demo --help")]
    [InlineData("seed --help")]
    [InlineData("subjects --help")]
    [InlineData("export --help")]
    [InlineData("erase --help")]
    [InlineData("verify --help")]
    [InlineData("public-key --help")]
    [InlineData("sweep --help")]
    [InlineData("rotate-kek --help")]
    [InlineData("legacy-seed --help")]
    [InlineData("migrate --help")]
    public async Task Help_OnTheAppAndEveryVerb_DescribesItAndExitsZero(string args)
    {
        var (exit, output, _) = await Run(args.Split(' '));

        Assert.Equal(0, exit);
        Assert.Contains("--db", output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "contact-center.db")), "--help must not create a database");
    }

    private static int CountValues(JsonElement root) => Values(root).Count;

    private static List<JsonElement> Values(JsonElement root) => [.. root.GetProperty("values").EnumerateArray()];
}
