namespace Gdpr.Docs.Tests;

/// <summary>One C# block of the documentation marked as a complete program.</summary>
/// <param name="File">The Markdown file, relative to the repository root (README.md, docs/x.md).</param>
/// <param name="Line">The line of the block's first code line.</param>
/// <param name="Code">The block's text.</param>
/// <param name="Run">Whether the test runs it too (a block marked <c>no-run</c> is only compiled).</param>
public sealed record DocProgram(string File, int Line, string Code, bool Run)
{
    /// <summary>Gets how a test names the block: file and line.</summary>
    public string Id => $"{File}:{Line}";

    /// <inheritdoc/>
    public override string ToString() => Id;
}

/// <summary>
/// Finds the complete programs in README.md and docs/*.md. The marker is the fence's info string:
/// <c>```csharp program</c> (compiled and run) or <c>```csharp program no-run</c> (compiled only, for programs that need
/// a server). Other <c>```csharp</c> blocks are fragments and are not checked.
/// </summary>
public static class MarkdownPrograms
{
    public const string Marker = "```csharp program";

    public static string RepositoryRoot { get; } = FindRoot();

    public static IReadOnlyList<DocProgram> All { get; } = Find();

    public static IEnumerable<string> MarkdownFiles()
        => new[] { Path.Combine(RepositoryRoot, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal));

    /// <summary>The marked blocks of one Markdown text.</summary>
    public static List<DocProgram> Extract(string file, string markdown)
    {
        var found = new List<DocProgram>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (!fence.StartsWith(Marker, StringComparison.Ordinal))
            {
                continue;
            }

            var options = fence[Marker.Length..].Trim();
            if (options is not ("" or "no-run"))
            {
                throw new InvalidOperationException($"{file}:{i + 1}: unknown option '{options}' after '{Marker}' (only 'no-run').");
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new InvalidOperationException($"{file}:{i + 1}: the block is never closed.");
            }

            found.Add(new DocProgram(file, start + 1, string.Join('\n', lines[start..end]), Run: options != "no-run"));
            i = end;
        }

        return found;
    }

    private static List<DocProgram> Find()
        => [.. MarkdownFiles().SelectMany(path => Extract(Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/'), File.ReadAllText(path)))];

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gdpr.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Gdpr.sln not found above " + AppContext.BaseDirectory);
    }
}
