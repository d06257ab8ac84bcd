using System.Diagnostics;

namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>Runs the sample's built program with arguments in a working folder, as a person at a terminal would.</summary>
internal static class SampleProcess
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "Gdpr.Samples.ContactCenter.dll");

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within 2 minutes: {string.Join(' ', args)}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
