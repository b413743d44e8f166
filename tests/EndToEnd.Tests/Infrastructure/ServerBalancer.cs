using System.Diagnostics;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>
/// HAProxy (Debian's) in front of ss-server replicas, as deploy/haproxy/haproxy.cfg has it: each replica checked with
/// GET /readyz, a request whose connection is refused sent to another. Agents and load generators talk to it alone.
/// </summary>
public sealed class ServerBalancer : IAsyncDisposable
{
    private readonly CapturedProcess _process;
    private readonly string _folder;

    private ServerBalancer(CapturedProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public static async Task<ServerBalancer> StartAsync(IEnumerable<Uri> servers)
    {
        var folder = Directory.CreateTempSubdirectory("ss-haproxy-").FullName;
        var port = Ports.Free();
        var backends = string.Join('\n', servers.Select((s, i) => $"    server ss{i + 1} 127.0.0.1:{s.Port} check"));
        var config = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 2000
            defaults
                mode http
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                retries 3
                option redispatch 1
            frontend stackscope
                bind 127.0.0.1:{port}
                default_backend ss_servers
            backend ss_servers
                option httpchk GET /readyz
                http-check expect status 200
                default-server inter 500ms fall 2 rise 2
            {backends}

            """);
        var process = new CapturedProcess(CapturedProcess.StartInfo("haproxy", ["-f", config, "-db"]));
        var balancer = new ServerBalancer(process, folder, port);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await client.GetAsync(new Uri(balancer.BaseAddress, "/readyz"))).IsSuccessStatusCode)
                {
                    return balancer;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                await balancer.DisposeAsync();
                throw new InvalidOperationException("haproxy did not start: " + string.Join('\n', process.Lines));
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Process.Kill(entireProcessTree: true);
            await _process.Process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
