using System.Diagnostics;
using System.Globalization;

namespace StackScope.Tests.Common;

/// <summary>
/// The real ss-server program (its build output) as its own process: for a SIGKILL, for its start-up log, and
/// for its admin commands. Runs from the server's own bin folder so its appsettings.json is the shipped one.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;

    private ServerProcess(CapturedProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<string> Lines => _process.Lines;

    public bool HasExited => _process.HasExited;

    public static string DllPath
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
            var path = Path.Combine(MariaDb.RepositoryRoot, "src", "Server", "bin", configuration, "net10.0", "ss-server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build the server first (dotnet build StackScope.slnx)", path);
        }
    }

    /// <summary>The storage and key settings a test database needs, as command-line arguments.</summary>
    public static string[] StorageArgs(TestDatabase database) =>
        ["--Storage:Provider", database.Provider, "--Storage:ConnectionString", database.ConnectionString, "--Auth:KeysPath", RunningServer.DefaultKeysPath];

    /// <summary>Starts the server on <paramref name="port"/> and waits for /readyz (unless told not to).</summary>
    // launcher: a command that runs the server, e.g. prlimit --nofile=1024.
    public static async Task<ServerProcess> StartAsync(int port, IEnumerable<string> args, bool waitUntilReady = true, string[]? launcher = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        string[] command = [.. launcher ?? [], "dotnet", DllPath, "--Urls", baseAddress.ToString().TrimEnd('/'), .. args];
        var server = new ServerProcess(new CapturedProcess(CapturedProcess.StartInfo(command[0], command.Skip(1))), baseAddress);
        if (waitUntilReady)
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }

        return server;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("ss-server exited at start:\n" + string.Join('\n', Lines));
            }

            try
            {
                if ((await client.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("ss-server did not become ready:\n" + string.Join('\n', Lines));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what a crash or the OOM killer does.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.Process.WaitForExitAsync(cancel.Token);
        return _process.Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Runs an admin command (<c>agent add x</c>, …) to completion: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(IEnumerable<string> args, string? input = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output, await error);
    }
}
