using System.Reflection;

namespace Gdpr.PublicApi.Tests;

/// <summary>
/// The public API is a promise to every application that embeds the SDK. These tests fail when it changes, so a
/// change is always deliberate: review the difference, then run
/// <c>GDPR_ACCEPT_API=1 dotnet test tests/Gdpr.PublicApi.Tests</c> and commit the updated approved/*.txt.
/// </summary>
public class PublicApiTests
{
    private static readonly string[] ShippedAssemblies = ["Gdpr.Abstractions", "Gdpr.Core", "Gdpr.Storage.EfCore"];

    public static TheoryData<string> Assemblies => new(ShippedAssemblies);

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void PublicApi_Matches_The_Approved_Listing(string assemblyName)
    {
        var actual = PublicApiListing.Describe(Assembly.Load(assemblyName));
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "approved", assemblyName + ".txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";

        if (actual != approved && Environment.GetEnvironmentVariable("GDPR_ACCEPT_API") == "1")
        {
            var source = Path.Combine(FindRepositoryRoot(), "tests", "Gdpr.PublicApi.Tests", "approved", assemblyName + ".txt");
            File.WriteAllText(source, actual);
            return;
        }

        var added = actual.Split('\n').Except(approved.Split('\n')).ToList();
        var removed = approved.Split('\n').Except(actual.Split('\n')).ToList();
        Assert.True(
            added.Count == 0 && removed.Count == 0,
            $"The public API of {assemblyName} changed.\nAdded:\n  {string.Join("\n  ", added)}\nRemoved:\n  {string.Join("\n  ", removed)}\n"
            + "If deliberate: GDPR_ACCEPT_API=1 dotnet test tests/Gdpr.PublicApi.Tests, then commit approved/*.txt.");
    }

    [Fact]
    public void EveryPublicAsyncMethod_Takes_CancellationToken_Last()
    {
        var offenders = ShippedAssemblies.Select(Assembly.Load)
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
            .Where(m => m.GetParameters() is var p && (p.Length == 0 || p[^1].ParameterType != typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.True(offenders.Count == 0, "Async methods without a trailing CancellationToken: " + string.Join(", ", offenders));
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gdpr.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Gdpr.sln not found above the test output folder.");
    }
}
