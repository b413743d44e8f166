using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on a loopback port: Debian's aiosmtpd in its debugging mode, which prints every message it
/// takes. It offers neither AUTH nor STARTTLS, as a plain relay on a private network would not.
/// </summary>
public sealed class SmtpServer : IDisposable
{
    private const string Aiosmtpd = "/usr/bin/aiosmtpd";
    private readonly CapturedProcess _process;

    private SmtpServer(CapturedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What it printed so far: each message's headers and body, line by line.</summary>
    public IReadOnlyList<string> Lines => _process.Lines;

    public static async Task<SmtpServer> StartAsync()
    {
        Assert.True(File.Exists(Aiosmtpd), "aiosmtpd is not installed: run the tests with scripts/test.sh (Debian's python3-aiosmtpd)");
        var port = Ports.Free();
        var start = CapturedProcess.StartInfo(Aiosmtpd, ["-n", "-l", $"127.0.0.1:{port}"]);
        start.Environment["PYTHONUNBUFFERED"] = "1"; // each message as it arrives, not when a pipe buffer fills
        var server = new SmtpServer(new CapturedProcess(start), port);
        await Delivered.WaitUntilAsync(async () =>
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, "aiosmtpd listening", 30);
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
