using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The shipped high-availability configuration, read by the programs that will run it: HAProxy accepts
/// deploy/haproxy/haproxy.cfg, and mariadbd reads deploy/galera/60-galera.cnf on top of stackscope.cnf with the
/// settings Galera requires in force (the tests' cluster, scripts/galera.sh, runs on the same files).
/// </summary>
public sealed class HighAvailabilityConfigTests
{
    [Fact]
    public async Task HAProxy_accepts_the_shipped_configuration()
    {
        var check = await Cli.RunAsync("/usr/sbin/haproxy", ["-c", "-f", Path.Combine(MariaDb.RepositoryRoot, "deploy", "haproxy", "haproxy.cfg")], null, 60);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Contains("Configuration file is valid", check.Output + check.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MariaDB_reads_the_galera_settings_with_what_galera_requires()
    {
        var both = Path.Combine(Directory.CreateTempSubdirectory("ss-galera-cnf-").FullName, "my.cnf");
        await File.WriteAllTextAsync(both,
            $"!include {Path.Combine(MariaDb.RepositoryRoot, "deploy", "mariadb", "stackscope.cnf")}\n" +
            $"!include {Path.Combine(MariaDb.RepositoryRoot, "deploy", "galera", "60-galera.cnf")}\n");
        var read = await Cli.RunAsync("/usr/sbin/mariadbd", [$"--defaults-file={both}", "--help", "--verbose"], null, 60);
        Assert.True(read.ExitCode == 0, read.Error);
        var settings = read.Output.Split('\n').Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1].Trim());
        Assert.Equal("ROW", settings["binlog-format"]);
        Assert.Equal("2", settings["innodb-autoinc-lock-mode"]);
        Assert.Equal("TRUE", settings["wsrep-on"]);
        Assert.Equal("1", settings["innodb-flush-log-at-trx-commit"]);
    }
}
