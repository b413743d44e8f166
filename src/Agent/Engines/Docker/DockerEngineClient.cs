using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// The few Engine API calls the agent makes, over the unix socket (or tcp://). Hand-written rather than
/// Docker.DotNet: that client serializes by reflection and is not Native AOT compatible
/// (dotnet/Docker.DotNet#689), and the agent must publish AOT with zero warnings.
/// </summary>
internal sealed class DockerEngineClient : IDisposable
{
    private readonly HttpClient _http;

    public DockerEngineClient(string dockerHost)
    {
        ArgumentException.ThrowIfNullOrEmpty(dockerHost);
        Address = dockerHost;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 128,
        };
        Uri baseAddress;
        if (dockerHost.StartsWith("unix://", StringComparison.Ordinal))
        {
            var socketPath = dockerHost["unix://".Length..];
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            baseAddress = new Uri("http://docker/");
        }
        else if (dockerHost.StartsWith("tcp://", StringComparison.Ordinal))
        {
            baseAddress = new Uri("http://" + dockerHost["tcp://".Length..].TrimEnd('/') + "/");
        }
        else
        {
            throw new ArgumentException($"Agent:DockerHost '{dockerHost}' must start with unix:// or tcp://", nameof(dockerHost));
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The unix:// or tcp:// address this client talks to.</summary>
    public string Address { get; }

    public async Task<List<DockerContainerSummary>> ListContainersAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync("containers/json?all=1", DockerJsonContext.Default.ListDockerContainerSummary, cancellationToken)
            .ConfigureAwait(false) ?? [];

    /// <summary>One stats sample without waiting for a second one; null when the container is gone.</summary>
    public async Task<DockerStats?> GetStatsAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"containers/{Uri.EscapeDataString(id)}/stats?stream=false&one-shot=true", cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(DockerJsonContext.Default.DockerStats, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();
}
