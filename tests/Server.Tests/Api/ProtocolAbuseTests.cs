using System.Net;
using System.Net.Sockets;
using System.Text;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// Requests HttpClient will not send: raw bytes on a socket. Framing and header faults Kestrel catches before the
/// app runs get its bodiless 4xx (no envelope is possible there); faults inside a body reach the app and get the
/// envelope. Either way no 5xx, nothing stored, and the server keeps serving.
/// </summary>
public sealed class ProtocolAbuseTests
{
    [Fact]
    public async Task Broken_framing_and_abusive_headers_get_a_4xx_and_the_server_keeps_serving()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("raw");
        var token = await server.Credentials.AgentTokenAsync(agent);
        var body = Reports.Seed(agent).ToJsonString();
        var host = $"Host: 127.0.0.1:{server.BaseAddress.Port}\r\n";
        var auth = $"Authorization: Bearer {token}\r\n";

        (string Name, byte[] Request, bool Envelope)[] cases =
        [
            ("garbage request line", Ascii("HELLO WORLD\r\n\r\n"), false),
            ("HTTP/1.1 without Host", Ascii("GET /healthz HTTP/1.1\r\n\r\n"), false),
            ("non-ASCII header value", [.. Ascii($"GET /api/v1/agents HTTP/1.1\r\n{host}X-Name: "), .. Encoding.UTF8.GetBytes("ü😀"), .. Ascii("\r\n\r\n")], false),
            ("64 KB header", Ascii($"GET /api/v1/agents HTTP/1.1\r\n{host}X-Big: {new string('a', 65536)}\r\n\r\n"), false),
            ("16 KB URL", Ascii($"GET /api/v1/containers?name={new string('a', 16384)} HTTP/1.1\r\n{host}\r\n"), false),
            ("header without colon", Ascii($"GET /healthz HTTP/1.1\r\n{host}NoColonHere\r\n\r\n"), false),
            ("two Content-Lengths", Ascii($"POST /api/v1/monitor-info HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\n{{}}"), false),
            ("Content-Length and chunked", Ascii($"POST /api/v1/monitor-info HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), false),
            ("bad chunk size", Ascii($"POST /api/v1/monitor-info HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{body}\r\n0\r\n\r\n"), true),
            ("body shorter than Content-Length", Ascii($"POST /api/v1/monitor-info HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: {body.Length + 100}\r\nConnection: close\r\n\r\n{body}"), true),
        ];

        foreach (var (name, request, envelope) in cases)
        {
            var (status, response) = await SendRawAsync(server.BaseAddress.Port, request, halfClose: name.StartsWith("body shorter", StringComparison.Ordinal));
            // A client that shut its side mid-body has gone: Kestrel drops the connection without an answer (0).
            var gone = name.StartsWith("body shorter", StringComparison.Ordinal) && status == 0;
            Assert.True(gone || status is >= 400 and < 500, $"{name}: answered {status}\n{response}");
            if (envelope && !gone)
            {
                Assert.Contains("\"success\":false", response, StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/healthz")).StatusCode);
        }

        Assert.Equal(0, await database.CountAsync("server", agent));
    }

    [Fact]
    public async Task An_overflowing_chunk_size_is_the_clients_400_not_storage_unavailable()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("chunk");
        var token = await server.Credentials.AgentTokenAsync(agent);
        var host = $"Host: 127.0.0.1:{server.BaseAddress.Port}\r\n";

        foreach (var (path, auth) in new[] { ("/api/v1/monitor-info", $"Authorization: Bearer {token}\r\n"), ("/api/v1/auth/sign-in", "") })
        {
            var request = Ascii($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "FFFFFFFFFFFFFFFFFF\r\n{\"a\":1}\r\n0\r\n\r\n");
            var (status, response) = await SendRawAsync(server.BaseAddress.Port, request, halfClose: false);

            Assert.True(status is >= 400 and < 500, $"{path}: answered {status}\n{response}");
            Assert.DoesNotContain("\"resultCode\":\"2001\"", response, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/readyz")).StatusCode);
        Assert.Equal(0, await database.CountAsync("server", agent));
    }

    [Fact]
    public async Task Large_or_form_bodies_on_the_open_auth_endpoints_are_refused_before_they_are_read()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var host = $"Host: 127.0.0.1:{server.BaseAddress.Port}\r\n";
        const int announced = 25 * 1024 * 1024;

        foreach (var path in new[] { "/api/v1/auth/sign-in", "/api/v1/auth/sign-out" })
        {
            foreach (var (type, status) in new[]
            {
                ("application/x-www-form-urlencoded", 413), ("multipart/form-data; boundary=x", 413), ("application/json", 413),
            })
            {
                // 25 MB announced, a few bytes sent: an answer at all proves nothing waited for (or buffered) the rest.
                var request = Ascii($"POST {path} HTTP/1.1\r\n{host}Content-Type: {type}\r\nContent-Length: {announced}\r\n\r\nusername=a&password=b");
                var (answered, response) = await SendRawAsync(server.BaseAddress.Port, request, halfClose: false);
                Assert.True(answered == status, $"{path} {type}: answered {answered}\n{response}");
                Assert.Contains("\"success\":false", response, StringComparison.Ordinal);
            }

            // A small form is refused for its type before the CSRF check would read it.
            var form = Ascii($"POST {path} HTTP/1.1\r\n{host}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 21\r\n\r\nusername=a&password=b");
            var (formStatus, formResponse) = await SendRawAsync(server.BaseAddress.Port, form, halfClose: false);
            Assert.True(formStatus == 415, $"{path} small form: answered {formStatus}\n{formResponse}");
        }

        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/healthz")).StatusCode);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static async Task<(int Status, string Response)> SendRawAsync(int port, byte[] request, bool halfClose)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        if (halfClose)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[8192];
        var received = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && !received.ToString().Contains("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                if (HasWholeBody(received.ToString()))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering.
        }

        var text = received.ToString();
        var parts = text.Split(' ', 3);
        return (parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : 0, text);
    }

    private static bool HasWholeBody(string response)
    {
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            return false;
        }

        var match = System.Text.RegularExpressions.Regex.Match(response[..headerEnd], @"Content-Length: (\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success && Encoding.UTF8.GetByteCount(response[(headerEnd + 4)..]) >= int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
