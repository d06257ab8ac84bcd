using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

// The programs run in the process with its working directory set to their folder: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Gdpr.Docs.Tests;

/// <summary>
/// Every C# block of README.md and docs/*.md marked <c>```csharp program</c> compiles against the SDK as it is, and
/// (unless marked <c>no-run</c>) runs to completion in an empty folder holding only a <c>pseudonym.key</c>.
/// </summary>
public sealed class DocProgramTests
{
    public static TheoryData<string> Programs => [.. MarkdownPrograms.All.Select(p => p.Id)];

    public static TheoryData<string> RunnablePrograms => [.. MarkdownPrograms.All.Where(p => p.Run).Select(p => p.Id)];

    [Fact]
    public void Readme_QuickStart_IsMarkedAsACompleteProgram()
        => Assert.Contains(MarkdownPrograms.All, p => p.File == "README.md" && p.Run);

    [Theory]
    [MemberData(nameof(Programs))]
    public void Program_Compiles(string id)
    {
        var (assembly, problems) = ProgramCompiler.Compile(Get(id));

        Assert.True(problems.Count == 0, $"{id} does not compile cleanly:\n{string.Join('\n', problems)}");
        Assert.NotNull(assembly);
    }

    [Theory]
    [MemberData(nameof(RunnablePrograms))]
    public async Task Program_Runs(string id)
    {
        var (assembly, problems) = ProgramCompiler.Compile(Get(id));
        Assert.True(assembly is not null, string.Join('\n', problems));
        var folder = Directory.CreateTempSubdirectory("gdpr-docs-").FullName;
        try
        {
            // What a reader creates once before the first run: openssl rand -base64 32 > pseudonym.key
            await File.WriteAllTextAsync(Path.Combine(folder, "pseudonym.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

            var (exitCode, output) = await ProgramCompiler.RunAsync(assembly, folder);

            Assert.True(exitCode == 0, $"{id} exited with {exitCode}:\n{output}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ReadmeQuickStart_ExportsThenErases_WithACertificate_OnASqliteFile()
    {
        var quickStart = MarkdownPrograms.All.First(p => p.File == "README.md" && p.Run);
        var (assembly, problems) = ProgramCompiler.Compile(quickStart);
        Assert.True(assembly is not null, string.Join('\n', problems));
        var folder = Directory.CreateTempSubdirectory("gdpr-docs-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "pseudonym.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

            var (_, output) = await ProgramCompiler.RunAsync(assembly, folder);

            Assert.True(File.Exists(Path.Combine(folder, "shop.db")), output);
            Assert.True(new FileInfo(Path.Combine(folder, "C-1001.zip")).Length > 0, output);
            Assert.True(File.Exists(Path.Combine(folder, "C-1001-erasure.json")), output);
            // Art. 17(3)(b): the invoice (tax) is retained, the marketing profile destroyed.
            Assert.Contains("tax: Retained", output, StringComparison.Ordinal);
            Assert.Contains("marketing: Destroyed", output, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Compiler_RejectsTheOldQuickStartShape_SoTheCheckCanFail()
    {
        // Top-level statements after a type declaration and an undefined 'services': what README.md had.
        var broken = new DocProgram("README.md", 1, "public sealed class Customer { }\nservices.AddGdpr(o => { });", Run: false);

        var (assembly, problems) = ProgramCompiler.Compile(broken);

        Assert.Null(assembly);
        Assert.Contains(problems, p => p.Contains("CS8803", StringComparison.Ordinal)); // top-level statements must precede types
        Assert.All(problems, p => Assert.StartsWith("README.md(", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_FindsOnlyMarkedBlocks_WithTheirLines()
    {
        const string markdown = "# t\n```csharp\nfragment();\n```\n```csharp program\nConsole.WriteLine();\n```\n```csharp program no-run\nx();\n```\n";

        var found = MarkdownPrograms.Extract("docs/t.md", markdown);

        Assert.Equal([("docs/t.md", 6, "Console.WriteLine();", true), ("docs/t.md", 9, "x();", false)], found.Select(p => (p.File, p.Line, p.Code, p.Run)));
    }

    private static DocProgram Get(string id) => MarkdownPrograms.All.Single(p => p.Id == id);
}
