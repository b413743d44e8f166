using System.Net;
using System.Net.Sockets;
using System.Text;
using StackScope.Server.Api;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// Idle connections past the process's open-file limit used to abort the runtime ("Out of memory", exit 134). The
/// server here runs under prlimit with 1,024 descriptors and gets 3,000 idle connections: it stays up, answers on
/// the connections it already had, takes an agent's report on its kept-alive connection, and serves new ones
/// once the flood is gone. Past the limit it stops accepting: the rest wait in the kernel's backlog. (bench/flood.sh does the same with 20,000 connections at the default limit.)
/// </summary>
public sealed class ConnectionFloodTests
{
    private const int OpenFiles = 1024;
    private const int Flood = 3000;

    [Fact]
    public async Task Idle_connections_past_the_open_file_limit_are_refused_and_the_server_keeps_serving()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        var agent = Reports.NewAgentId("flood");
        var token = await TokenIssuer.AgentTokenAsync(database, agent);
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database),
            launcher: ["prlimit", $"--nofile={OpenFiles}"]);
        // The agent's connection, opened before the flood and kept alive (one connection, reused).
        using var agentClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = server.BaseAddress,
        };
        agentClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await agentClient.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        var sockets = Enumerable.Range(0, Flood).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            // All at once; past the limit the server stops accepting, so the rest wait in the kernel's backlog (or time out).
            await Task.WhenAll(sockets.Select(async socket =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.BaseAddress.Port), timeout.Token);
                    await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    // Not accepted: what the limit is for.
                }
            }));

            await Task.Delay(1000);
            Assert.False(server.HasExited, string.Join('\n', server.Lines.TakeLast(20)));
            Assert.Equal(HttpStatusCode.OK, (await agentClient.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            var report = await agentClient.PostAsync(new Uri("/api/v1/monitor-info", UriKind.Relative), Reports.Json(Reports.Seed(agent).ToJsonString()));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        await Task.Delay(500);
        using var fresh = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.False(server.HasExited);
        Assert.Equal(1, await database.CountAsync("server", agent));
    }

    [Fact]
    public void The_default_limit_keeps_a_reserve_of_the_open_file_limit()
    {
        Assert.Equal(242, ConnectionLimits.DefaultMaxConnections(1024, 270));
        Assert.Equal(17_230, ConnectionLimits.DefaultMaxConnections(20_000, 270));
        Assert.Equal(16, ConnectionLimits.DefaultMaxConnections(600, 270));
        Assert.Equal(8192, ConnectionLimits.ParseOpenFileLimit(
            "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            8192                 524288               files     \n"));
        Assert.Null(ConnectionLimits.ParseOpenFileLimit("Max open files            unlimited            unlimited            files     \n"));
    }
}
