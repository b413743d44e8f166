using System.Diagnostics;

namespace StackScope.Tests.Common;

/// <summary>Debian's promtool (package prometheus), the format checker both ends' /metrics are held to.</summary>
public static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary><c>promtool check metrics</c> on <paramref name="exposition"/>: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(Path, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var check = Process.Start(start)!;
        await check.StandardInput.WriteAsync(exposition);
        check.StandardInput.Close();
        var output = await check.StandardOutput.ReadToEndAsync() + await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        return (check.ExitCode, output);
    }
}
