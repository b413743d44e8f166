using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// The five unary calls of the Kubernetes CRI (<c>runtime.v1.RuntimeService</c>) the agent makes, as gRPC over HTTP/2
/// on the runtime's unix socket: kubelet's own way to containerd and CRI-O. Hand-written over HttpClient rather than
/// Grpc.Net.Client, which with Google.Protobuf adds 2 MB to the Native AOT agent (measured: +2,043,464 bytes against
/// +29,648); a unary call is one POST with a 5-byte frame header and the status in the trailers.
/// </summary>
internal sealed class CriClient : IDisposable
{
    private const string Service = "/runtime.v1.RuntimeService/";

    // gRPC clients refuse answers over 4 MB by default; a node's list of every container with its labels stays far below.
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly HttpClient _http;

    public CriClient(string address, TimeSpan timeout)
    {
        if (!address.StartsWith("unix://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"a CRI runtime is reached at a unix:// socket, got '{address}'", nameof(address));
        }

        Address = address;
        var socketPath = address["unix://".Length..];
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    // The socket's path, not "localhost:80", in what the operator reads.
                    throw new HttpRequestException($"cannot connect to {socketPath}: {ex.Message}", ex);
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = timeout };
    }

    public string Address { get; }

    // One generic call for the lists (reference types share one compiled body in the AOT binary, where an async method
    // per list would each bring its own state machine).
    public Task<List<CriSandbox>> ListPodSandboxAsync(CancellationToken cancellationToken) =>
        CallAsync("ListPodSandbox", [], static bytes => CriDecoder.Sandboxes(bytes), cancellationToken);

    public Task<List<CriContainer>> ListContainersAsync(CancellationToken cancellationToken) =>
        CallAsync("ListContainers", [], static bytes => CriDecoder.Containers(bytes), cancellationToken);

    /// <summary>The containers' ids and states as one number (<see cref="CriDecoder.Fingerprint"/>): has anything changed?</summary>
    public async Task<ulong> ListContainersFingerprintAsync(CancellationToken cancellationToken) =>
        (ulong)await CallAsync("ListContainers", [], static bytes => (object)CriDecoder.Fingerprint(bytes), cancellationToken).ConfigureAwait(false);

    public Task<List<CriStats>> ListContainerStatsAsync(CancellationToken cancellationToken) =>
        CallAsync("ListContainerStats", [], static bytes => CriDecoder.Stats(bytes), cancellationToken);

    /// <summary>One attempt's status (verbose: with its PID and cgroup); null when the runtime no longer has it.</summary>
    public async Task<CriStatus?> ContainerStatusAsync(string id, bool verbose, CancellationToken cancellationToken)
    {
        // ContainerStatusRequest { string container_id = 1; bool verbose = 2; }: tag, varint length, the id, then the flag.
        var idBytes = Encoding.UTF8.GetBytes(id);
        var request = new byte[1 + 5 + idBytes.Length + 2];
        var at = 0;
        request[at++] = 0x0A;
        for (var length = (uint)idBytes.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                request[at++] = (byte)length;
                break;
            }

            request[at++] = (byte)(length | 0x80);
        }

        idBytes.CopyTo(request, at);
        at += idBytes.Length;
        if (verbose)
        {
            request[at++] = 0x10;
            request[at++] = 0x01;
        }

        try
        {
            return await CallAsync("ContainerStatus", request[..at], static bytes => CriStatusDecoder.Status(bytes), cancellationToken).ConfigureAwait(false);
        }
        catch (CriException ex) when (ex.Code == CriException.NotFound)
        {
            return null; // removed between listing and asking
        }
    }

    private delegate T Decoder<out T>(ReadOnlySpan<byte> message);

    private async Task<T> CallAsync<T>(string method, byte[] message, Decoder<T> decode, CancellationToken cancellationToken)
        where T : class?
    {
        var body = new byte[5 + message.Length]; // flag 0 (not compressed), then the length, big-endian
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(1), message.Length);
        message.CopyTo(body, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, Service + method)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // HTTP/2 with prior knowledge, as gRPC speaks it
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new CriException(CriException.Unknown, $"{method}: HTTP {(int)response.StatusCode}");
        }

        var bytes = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        // A Trailers-Only answer (an error at once) carries the status in the headers.
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status != "0")
        {
            var text = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
            throw new CriException(int.TryParse(status, out var code) ? code : CriException.Unknown, $"{method}: {Uri.UnescapeDataString(text)}");
        }

        if (bytes.Length < 5)
        {
            return decode([]); // an empty message: every field at its default
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        if (bytes[0] != 0 || length < 0 || length > bytes.Length - 5)
        {
            throw new CriException(CriException.Unknown, $"{method}: a compressed or cut-short answer");
        }

        return decode(bytes.AsSpan(5, length));
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxMessageBytes + 5)
                {
                    throw new CriException(CriException.Unknown, $"an answer over {MaxMessageBytes / (1024 * 1024)} MB");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}

/// <summary>A gRPC status other than OK from the runtime.</summary>
internal sealed class CriException(int code, string message) : Exception(message)
{
    public const int Unknown = 2;
    public const int NotFound = 5;
    public const int Unimplemented = 12;

    public int Code { get; } = code;
}
