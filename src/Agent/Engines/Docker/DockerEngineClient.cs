using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// The few Engine API calls the agent makes, over the unix socket (or tcp://). Hand-written rather than
/// Docker.DotNet: that client serializes by reflection and is not Native AOT compatible
/// (dotnet/Docker.DotNet#689), and the agent must publish AOT with zero warnings.
/// </summary>
internal sealed class DockerEngineClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient _stream; // the event stream stays open: no overall timeout

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
        _stream = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
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

    /// <summary>The container's inspect document; null when it is gone.</summary>
    public async Task<DockerInspect?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"containers/{Uri.EscapeDataString(id)}/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(DockerJsonContext.Default.DockerInspect, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Container events as they happen, one JSON document per line; with <paramref name="sinceNanos"/> the engine
    /// first replays what it still holds from that time on (dockerd keeps its last 256 events in memory).
    /// Ends when the engine closes the stream; throws when it cannot be reached.
    /// </summary>
    public async IAsyncEnumerable<DockerEvent> StreamEventsAsync(long? sinceNanos,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = "events?filters=" + Uri.EscapeDataString("{\"type\":[\"container\"]}");
        if (sinceNanos is > 0 and var since)
        {
            query += "&since=" + (since / 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "." +
                (since % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
        }

        using var response = await _stream.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0 && JsonSerializer.Deserialize(line, DockerJsonContext.Default.DockerEvent) is { } message)
                {
                    yield return message;
                }
            }
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _http.Dispose();
    }
}
