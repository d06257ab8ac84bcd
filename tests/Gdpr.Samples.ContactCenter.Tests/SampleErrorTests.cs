namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>
/// Database and file-system mistakes end in one line on stderr and the exit code documented in ExitCodes.cs
/// (and printed by --help), never a stack trace; read verbs never create a database or keys.
/// </summary>
public sealed class SampleErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gdpr-sample-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<(int ExitCode, string Out, string Error)> Run(params string[] args) => SampleProcess.RunAsync(_folder, args);

    private string PathOf(string name) => Path.Combine(_folder, name);

    public static TheoryData<string[]> ReadVerbs => new()
    {
        new[] { "subjects" },
        new[] { "export", "--subject", "C-0001", "--out", "x.json" },
        new[] { "erase", "--subject", "C-0001", "--certificate", "x.json" },
        new[] { "public-key", "--out", "key.pem" },
        new[] { "sweep" },
        new[] { "rotate-kek" },
        new[] { "migrate" },
    };

    [Theory]
    [MemberData(nameof(ReadVerbs))]
    public async Task ReadVerb_OnAMistypedDb_SaysNoDatabase_AndCreatesNothing(string[] verb)
    {
        var (exit, _, error) = await Run([.. verb, "--db", "typo.db"]);

        AssertOneLineError(error, exit, expectedExit: 2);
        Assert.Contains("no database at " + PathOf("typo.db"), error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Verify_NeedsNoDatabase_AndCreatesNone()
    {
        Assert.Equal(0, (await Run("demo")).ExitCode);
        var before = Directory.GetFileSystemEntries(_folder).Order(StringComparer.Ordinal).ToArray();
        var certificate = Directory.GetFiles(_folder, "C-*-erasure.json").Single();

        var (exit, output, error) = await Run("verify", "--certificate", certificate, "--public-key", "erasure-signing-key.pem", "--db", "typo.db");

        Assert.True(exit == 0, error);
        Assert.Contains("valid", output, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(_folder).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task ReadVerb_WithADatabaseButNoKeys_SaysSo_AndCreatesNoKeys()
    {
        Assert.Equal(0, (await Run("seed", "--customers", "1")).ExitCode);
        File.Copy(PathOf("contact-center.db"), PathOf("copy.db"));

        var (exit, _, error) = await Run("subjects", "--db", "copy.db");

        AssertOneLineError(error, exit, expectedExit: 2);
        Assert.Contains("no keys at", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PathOf("copy.db.keys")));
    }

    [Theory]
    [InlineData("subjects")]
    [InlineData("seed")]
    [InlineData("migrate")]
    public async Task NotASqliteFile_IsADatabaseError_Exit6(string verb)
    {
        await File.WriteAllTextAsync(PathOf("notes.db"), "These are my notes, not a database. They are long enough to have a header.");
        CopyKeysFor("notes.db", await SeedKeysAsync());

        var (exit, _, error) = await Run(verb, "--db", "notes.db");

        AssertOneLineError(error, exit, expectedExit: 6);
        Assert.Contains("cannot be used", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedDatabase_IsADatabaseError_Exit6()
    {
        var keys = await SeedKeysAsync();
        var original = await File.ReadAllBytesAsync(PathOf("contact-center.db"));
        await File.WriteAllBytesAsync(PathOf("cut.db"), original[..(original.Length / 2)]);
        CopyKeysFor("cut.db", keys);

        var (exit, _, error) = await Run("export", "--subject", "C-0001", "--out", "x.json", "--db", "cut.db");

        AssertOneLineError(error, exit, expectedExit: 6);
        Assert.False(File.Exists(PathOf("x.json")), "nothing is exported from a broken database");
    }

    [Theory]
    [InlineData("subjects")]
    [InlineData("seed")]
    [InlineData("demo")]
    [InlineData("legacy-seed")]
    [InlineData("migrate")]
    public async Task FolderAsDb_IsAFileSystemError_Exit4(string verb)
    {
        Directory.CreateDirectory(PathOf("folder.db"));

        var (exit, _, error) = await Run(verb, "--db", "folder.db");

        AssertOneLineError(error, exit, expectedExit: 4);
        Assert.Contains("is a folder", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PathOf("folder.db.keys")));
    }

    [Fact]
    public async Task TamperedCertificate_Exit1_OnlyForAnInvalidSignature()
    {
        Assert.Equal(0, (await Run("demo")).ExitCode);
        var certificate = Directory.GetFiles(_folder, "C-*-erasure.json").Single();
        var bytes = await File.ReadAllBytesAsync(certificate);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(certificate, bytes);

        var (exit, _, error) = await Run("verify", "--certificate", certificate, "--public-key", "erasure-signing-key.pem");

        AssertOneLineError(error, exit, expectedExit: 1);
    }

    [Fact]
    public async Task Help_ListsEveryExitCode()
    {
        var (exit, output, _) = await Run("--help");

        Assert.Equal(0, exit);
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
        foreach (var code in new[] { 0, 1, 2, 3, 4, 5, 6, 70 })
        {
            Assert.Matches($@"(?m)^\s+{code}\s+\S", output);
        }
    }

    /// <summary>Seeds the default database once and returns its keys folder.</summary>
    private async Task<string> SeedKeysAsync()
    {
        if (!File.Exists(PathOf("contact-center.db")))
        {
            Assert.Equal(0, (await Run("seed", "--customers", "1")).ExitCode);
        }

        return PathOf("contact-center.db.keys");
    }

    private void CopyKeysFor(string database, string keys)
    {
        foreach (var file in Directory.GetFiles(keys, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(PathOf(database + ".keys"), Path.GetRelativePath(keys, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Directory.CreateDirectory(Path.Combine(PathOf(database + ".keys"), "kek"));
    }

    private static void AssertOneLineError(string error, int exit, int expectedExit)
    {
        Assert.True(exit == expectedExit, $"exit code {exit}, expected {expectedExit}; stderr: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}: {error}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }
}
