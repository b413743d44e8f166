using System.Diagnostics;

namespace StackScope.EndToEnd.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs a real program to completion (docker, the agent), bounded in time.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    public static async Task<string> CheckedAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, int timeoutSeconds = 60)
    {
        var result = await RunAsync(file, args, environment, timeoutSeconds);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
    }
}
