using System.Net;
using System.Net.Sockets;
using System.Text;
using StackScope.Agent.Delivery;

namespace StackScope.Agent.Telemetry;

/// <summary>
/// <c>GET /metrics</c> on a loopback address (<c>Agent:MetricsListen</c>, off by default): the agent pushes its
/// reports and needs no listener otherwise. A few lines of HTTP/1.0 over a socket, one request per connection: a
/// scrape is all it serves, and ASP.NET Core would double the agent's size and memory.
/// </summary>
internal sealed partial class MetricsListener(AgentOptions options, AgentMetrics metrics, ReportSpool spool, ILogger<MetricsListener> logger)
    : BackgroundService
{
    private const int MaxRequestBytes = 8192;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.MetricsListen.Length == 0)
        {
            return;
        }

        var endpoint = IPEndPoint.Parse(options.MetricsListen);
        using var listener = new TcpListener(endpoint);
        listener.Start();
        LogListening(logger, listener.LocalEndpoint.ToString() ?? options.MetricsListen);
        while (!stoppingToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = AnswerAsync(client, stoppingToken);
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken stoppingToken)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                var stream = client.GetStream();
                var request = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
                var line = request.Split('\n', 2)[0].TrimEnd('\r').Split(' ');
                var (status, type, body) = line is ["GET", "/metrics", ..]
                    ? ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.Exposition(spool.Count, spool.Bytes, spool.DroppedCount))
                    : ("404 Not Found", "text/plain; charset=utf-8", "only GET /metrics is served here\n");
                var bytes = Encoding.UTF8.GetBytes(body);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.0 {status}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, timeout.Token).ConfigureAwait(false);
                await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The scraper went away or sent nothing in time: nothing to answer.
            }
        }
    }

    // Up to the blank line that ends the request head (or 8 KiB): nothing after it is needed.
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0 || buffer.AsSpan(0, length).IndexOf("\n\n"u8) >= 0)
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving the agent's own metrics at http://{Endpoint}/metrics")]
    private static partial void LogListening(ILogger logger, string endpoint);
}
