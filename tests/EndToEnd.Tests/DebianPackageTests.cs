using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The Debian packages scripts/build-debs.sh makes, installed on this machine with dpkg (the test runs as root, as
/// scripts/test.sh does): files, users and permissions where the units expect them, both programs answer
/// <c>--version</c> from /usr/bin, and a purge removes every file the packages brought.
/// </summary>
public sealed partial class DebianPackageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Packages = ["ss-agent", "ss-server"];

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Both_packages_install_with_their_users_and_files_and_purge_cleanly()
    {
        Assert.True(Environment.UserName == "root", "installing packages needs root: run the tests with scripts/test.sh as root");
        await Cli.RunAsync("dpkg", ["--purge", .. Packages], null, 120); // a run interrupted earlier
        var folder = Directory.CreateTempSubdirectory("ss-debs-").FullName;
        try
        {
            // Under scripts/test.sh this packages its one publish (SS_PUBLISHED, inherited).
            var built = await Cli.RunAsync("bash", [Path.Combine(MariaDb.RepositoryRoot, "scripts", "build-debs.sh"), folder], null, 600);
            Assert.True(built.ExitCode == 0, built.Output + built.Error);
            var debs = Directory.GetFiles(folder, "*.deb").Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(2, debs.Length);

            var install = await Cli.RunAsync("dpkg", ["-i", .. debs], null, 300);
            Assert.True(install.ExitCode == 0, install.Output + install.Error);

            // Users of their own, without a login shell.
            foreach (var user in new[] { "stackscope", "stackscope-agent" })
            {
                var entry = (await Cli.CheckedAsync("getent", ["passwd", user])).Trim().Split(':');
                Assert.EndsWith("nologin", entry[6], StringComparison.Ordinal);
            }

            if ((await Cli.RunAsync("getent", ["group", "docker"], null, 30)).ExitCode == 0)
            {
                Assert.Contains("docker", (await Cli.CheckedAsync("id", ["-nG", "stackscope-agent"])).Split(' ', StringSplitOptions.TrimEntries));
            }

            // The units as shipped in deploy/systemd, the settings readable by the service's user only.
            foreach (var (package, user) in new[] { ("ss-server", "stackscope"), ("ss-agent", "stackscope-agent") })
            {
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(MariaDb.RepositoryRoot, "deploy", "systemd", package + ".service")),
                    await File.ReadAllTextAsync($"/lib/systemd/system/{package}.service"));
                var settings = $"/etc/stackscope/{package["ss-".Length..]}.env";
                Assert.Equal($"640 root {user}", (await Cli.CheckedAsync("stat", ["-c", "%a %U %G", settings])).Trim());
                var binary = $"/usr/lib/stackscope/{package["ss-".Length..]}/{package}";
                Assert.Equal("755 root root", (await Cli.CheckedAsync("stat", ["-c", "%a %U %G", binary])).Trim());
                var version = await Cli.CheckedAsync($"/usr/bin/{package}", ["--version"]);
                Assert.Matches(VersionLine(), version.Trim());
                output.WriteLine(version.Trim());
            }

            // A purge leaves none of the packages' files.
            var files = (await Cli.CheckedAsync("dpkg", ["-L", .. Packages])).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(f => File.Exists(f) && !Directory.Exists(f)).ToList();
            Assert.NotEmpty(files);
            var purge = await Cli.RunAsync("dpkg", ["--purge", .. Packages], null, 120);
            Assert.True(purge.ExitCode == 0, purge.Output + purge.Error);
            Assert.DoesNotContain(files, File.Exists);
            Assert.False(Directory.Exists("/usr/lib/stackscope"));
            Assert.NotEqual(0, (await Cli.RunAsync("dpkg", ["-s", "ss-server"], null, 30)).ExitCode);
        }
        finally
        {
            await Cli.RunAsync("dpkg", ["--purge", .. Packages], null, 120);
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"^ss-(server|agent) \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)$")]
    private static partial Regex VersionLine();
}
