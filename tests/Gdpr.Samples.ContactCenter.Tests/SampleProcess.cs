using System.Diagnostics;

namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>Runs the sample's built program with arguments in a working folder, as a person at a terminal would.</summary>
internal static class SampleProcess
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "Gdpr.Samples.ContactCenter.dll");

    /// <summary>How long a run may take before the test gives up on it.</summary>
    public static TimeSpan Limit { get; } = TimeSpan.FromMinutes(2);

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await WaitAsync(process, args);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the sample with its output redirected (the caller reads it) and no input.</summary>
    public static Process Start(string workingDirectory, params string[] args)
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

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Waits for the process to end, killing it (and failing) after <see cref="Limit"/>.</summary>
    public static async Task WaitAsync(Process process, string[] args)
    {
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {Limit.TotalMinutes:F0} minutes: {string.Join(' ', args)}");
        }
    }
}
