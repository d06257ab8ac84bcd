using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Gdpr.Docs.Tests;

/// <summary>
/// Compiles a documented program in process with Roslyn, as <c>dotnet new console</c> would (C# latest, nullable
/// enabled, the SDK's implicit usings), against the assemblies this test runs with: the Gdpr SDK, EF Core with
/// SQLite, Microsoft.Extensions.DependencyInjection and the framework.
/// </summary>
public static class ProgramCompiler
{
    /// <summary>The global usings of Microsoft.NET.Sdk with ImplicitUsings enabled.</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => MetadataReference.CreateFromFile(path))]);

    /// <summary>Compiles; returns the assembly's bytes, or the errors and warnings as "file(line,col): id: message" lines.</summary>
    public static (byte[]? Assembly, IReadOnlyList<string> Problems) Compile(DocProgram program)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        // #line maps every diagnostic to the Markdown file and line a reader edits.
        var source = $"#line {program.Line} \"{program.File}\"\n{program.Code}\n";
        var compilation = CSharpCompilation.Create(
            "DocProgram_" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, parse, path: program.File), CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "ImplicitUsings.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                // As the .NET SDK does for every project: a package built against an older patch of a dependency
                // (Npgsql's EF provider) unifies with the newer one the application references.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var problems = result.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning && !d.IsSuppressed)
            .Select(d => d.ToString())
            .ToList();
        return (result.Success ? output.ToArray() : null, problems);
    }

    /// <summary>Runs a compiled program's entry point in <paramref name="workingDirectory"/>; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(byte[] assembly, string workingDirectory)
    {
        var entry = Assembly.Load(assembly).EntryPoint ?? throw new InvalidOperationException("The program has no entry point.");
        var previousDirectory = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        using var captured = new StringWriter();
        Environment.CurrentDirectory = workingDirectory;
        Console.SetOut(captured);
        try
        {
            var arguments = entry.GetParameters().Length == 0 ? null : new object[] { Array.Empty<string>() };
            var returned = await Task.Run(() => entry.Invoke(null, arguments));
            return (returned is int code ? code : 0, captured.ToString());
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"The program failed: {ex.InnerException.GetType().Name}: {ex.InnerException.Message}\nIts output:\n{captured}", ex.InnerException);
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousDirectory;
        }
    }
}
