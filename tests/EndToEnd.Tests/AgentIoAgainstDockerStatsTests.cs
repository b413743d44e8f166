using System.Globalization;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// NET I/O, BLOCK I/O and PIDS as the agent reports them against <c>docker stats --no-stream</c> over the same period:
/// two containers on an internal network the test creates exchange a known amount, one writes with O_DIRECT, one
/// runs 20 background sleeps. Traffic stays between those two containers (the network has no way out).
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class AgentIoAgainstDockerStatsTests(TestContainers containers)
{
    private const int Transferred = 2_000_000;
    private const string NoIpv6 = "net.ipv6.conf.all.disable_ipv6=1";

    [Theory]
    [InlineData("cgroup files", "/sys/fs/cgroup")]
    [InlineData("engine api", "")]
    public async Task Agent_reports_the_io_and_pids_docker_stats_shows(string path, string cgroupRoot)
    {
        Assert.NotEmpty(path);
        var network = containers.Prefix + "net-" + (cgroupRoot.Length == 0 ? "api" : "cg");
        var web = containers.Prefix + "web-" + network[^2..];
        var client = containers.Prefix + "client-" + network[^2..];
        var writer = containers.Prefix + "writer-" + network[^2..];
        var pids = containers.Prefix + "pids-" + network[^2..];
        await DockerEngine.RunAsync("network", "create", "--internal", network);
        try
        {
            // IPv6 off: its neighbour discovery would add packets of its own between the two reads.
            await DockerEngine.RunAsync("run", "-d", "--network", network, "--sysctl", NoIpv6, "--name", web, DockerEngine.Image,
                "sh", "-c", $"mkdir -p /www && head -c {Transferred} /dev/zero > /www/blob && httpd -f -p 8080 -h /www");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await DockerEngine.RunAsync("run", "-d", "--network", network, "--sysctl", NoIpv6, "--name", client, DockerEngine.Image,
                "sh", "-c", $"wget -q -O /dev/null http://{web}:8080/blob && touch /tmp/done; sleep 3600");
            await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", writer, DockerEngine.Image,
                "sh", "-c", "dd if=/dev/zero of=/tmp/out bs=1M count=16 oflag=direct 2>/dev/null; sync; sleep 3600");
            await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", pids, DockerEngine.Image,
                "sh", "-c", "for i in $(seq 20); do sleep 3600 & done; wait");
            await Delivered.WaitUntilAsync(async () => (await Cli.RunAsync("docker", ["exec", client, "test", "-f", "/tmp/done"], DockerEngine.Environment_)).ExitCode == 0,
                "the client's download finished", 60);
            await Task.Delay(TimeSpan.FromSeconds(2)); // the writer's sync and the network settle

            await using var database = new SqliteTestDatabase();
            await using var server = await RunningServer.StartAsync(database);
            // docker stats before and after the agent's read: counters only grow, so the agent's count must lie between
            // the two (each within the CLI's display rounding), however much background traffic moved meanwhile.
            const string format = "{{.Name}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}";
            var before = Rows(await DockerEngine.RunAsync("stats", "--no-stream", "--format", format));
            var run = await AgentBinary.OnceAsync(server, Reports.NewAgentId("io"), "--Agent:CgroupRoot", cgroupRoot);
            var after = Rows(await DockerEngine.RunAsync("stats", "--no-stream", "--format", format));
            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            var agent = AgentOutput.Parse(run.Output);

            foreach (var name in new[] { web, client, writer, pids })
            {
                var record = agent.Container(name);
                string[] fields = ["con_net_rx_bytes", "con_net_tx_bytes", "con_block_read_bytes", "con_block_write_bytes"];
                for (var i = 0; i < fields.Length; i++)
                {
                    var bytes = (long)record[fields[i]]!;
                    var (low, _) = Shown(before[name][i]);
                    var (_, high) = Shown(after[name][i]);
                    Assert.True(bytes >= low && bytes <= high, $"{name} {fields[i]}: agent {bytes} B, docker stats '{before[name][i]}' then '{after[name][i]}'");
                }

                Assert.Equal(long.Parse(before[name][4], CultureInfo.InvariantCulture), (long)record["con_pids"]!);
                Assert.Equal(long.Parse(after[name][4], CultureInfo.InvariantCulture), (long)record["con_pids"]!);
            }

            // The known amount: the blob went from the server to the client, plus HTTP and TCP/IP headers (66 bytes in each
            // 1,514-byte frame: 4.6 % alone) and the odd retransmission: 5 % of slack was once exceeded (6.8 %), so 10 %.
            Assert.InRange((long)agent.Container(client)["con_net_rx_bytes"]!, Transferred, Transferred * 1.10);
            Assert.InRange((long)agent.Container(web)["con_net_tx_bytes"]!, Transferred, Transferred * 1.10);
            Assert.Equal(21L, (long)agent.Container(pids)["con_pids"]!); // the shell and its 20 sleeps
            Assert.Equal(0L, (long)agent.Container(writer)["con_net_rx_bytes"]!); // --network none: loopback only, left out
        }
        finally
        {
            foreach (var name in new[] { web, client, writer, pids })
            {
                await Cli.RunAsync("docker", ["rm", "-f", name], DockerEngine.Environment_);
            }

            await Cli.RunAsync("docker", ["network", "rm", network], DockerEngine.Environment_);
        }
    }

    /// <summary>name -> [net rx, net tx, block read, block written, pids] as the CLI shows them.</summary>
    private static Dictionary<string, string[]> Rows(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToDictionary(
            p => p[0],
            p => p[1].Split('/', StringSplitOptions.TrimEntries).Concat(p[2].Split('/', StringSplitOptions.TrimEntries)).Append(p[3].Trim()).ToArray());

    /// <summary>
    /// The range of byte counts the CLI's text stands for: it shows decimal units to three significant digits
    /// (go-units HumanSizeWithPrecision), so "2MB" is 1,995,000-2,005,000 bytes.
    /// </summary>
    private static (double Low, double High) Shown(string shown)
    {
        var units = new (string Suffix, double Factor)[] { ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3), ("B", 1) };
        var (suffix, factor) = units.First(u => shown.EndsWith(u.Suffix, StringComparison.Ordinal));
        // Whole bytes: 4.07 * 1000 is 4070.0000000000005 in binary, which put 4065 bytes (shown as "4.07kB": the CLI's
        // half-way case) just under the range.
        var value = Math.Round(double.Parse(shown[..^suffix.Length], CultureInfo.InvariantCulture) * factor);
        var rounding = value < 1000 ? 0.5 : 0.5 * Math.Pow(10, Math.Floor(Math.Log10(value)) - 2);
        return (value - rounding, value + rounding);
    }
}
