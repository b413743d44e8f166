using System.Globalization;
using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The systemd units in deploy/systemd, checked by systemd's own tools offline: <c>systemd-analyze verify</c> finds
/// nothing to say, and <c>systemd-analyze security --offline=yes</c> rates each at most 2.0 ("OK"). Both run against
/// a scratch root holding the units, placeholders for the binaries at their installed paths and the system's targets.
/// </summary>
public sealed partial class SystemdUnitTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string Analyze = "/usr/bin/systemd-analyze";
    private readonly string _root = Directory.CreateTempSubdirectory("ss-systemd-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("ss-server.service", "/usr/lib/stackscope/server/ss-server")]
    [InlineData("ss-agent.service", "/usr/lib/stackscope/agent/ss-agent")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_unit_verifies_clean_and_rates_ok_for_exposure(string unit, string binary)
    {
        Assert.True(File.Exists(Analyze), "systemd-analyze is missing (Debian's systemd)");
        var units = Path.Combine(_root, "etc", "systemd", "system");
        Directory.CreateDirectory(units);
        File.Copy(Path.Combine(MariaDb.RepositoryRoot, "deploy", "systemd", unit), Path.Combine(units, unit));
        var exe = _root + binary;
        Directory.CreateDirectory(Path.GetDirectoryName(exe)!);
        await File.WriteAllTextAsync(exe, "#!/bin/sh\n");
        File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var targets = Path.Combine(_root, "usr", "lib", "systemd", "system");
        Directory.CreateDirectory(targets);
        foreach (var target in Directory.GetFiles("/usr/lib/systemd/system", "*.target"))
        {
            File.Copy(target, Path.Combine(targets, Path.GetFileName(target)), overwrite: true); // follows the system's aliases
        }

        var verify = await Cli.RunAsync(Analyze, ["verify", $"--root={_root}", unit], null, 60);
        Assert.True(verify.ExitCode == 0 && (verify.Output + verify.Error).Trim().Length == 0, $"systemd-analyze verify {unit}:\n{verify.Output}{verify.Error}");

        var security = await Cli.RunAsync(Analyze, ["security", "--offline=yes", $"--root={_root}", unit], null, 60);
        var rating = Exposure().Match(security.Output);
        Assert.True(rating.Success, $"no rating in:\n{security.Output}{security.Error}");
        var score = double.Parse(rating.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{unit}: exposure {score} {rating.Groups[2].Value}");
        Assert.True(score <= 2.0, $"{unit} rated {score} ({rating.Groups[2].Value}); at most 2.0 wanted:\n{security.Output}");
    }

    [GeneratedRegex(@"Overall exposure level for [^:]+: (\d+\.\d) (\w+)")]
    private static partial Regex Exposure();
}
