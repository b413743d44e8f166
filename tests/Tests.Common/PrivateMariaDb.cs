using System.Diagnostics;

namespace StackScope.Tests.Common;

/// <summary>
/// A MariaDB server of the test's own (scripts/mariadb.sh, own data folder and port), so a test may stop
/// and start it without disturbing the shared one.
/// </summary>
public sealed class PrivateMariaDb : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "mariadb-private-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _port = Ports.Free();

    public string ServerConnectionString { get; private set; } = "";

    public static async Task<PrivateMariaDb> StartAsync()
    {
        var db = new PrivateMariaDb();
        await db.StartAgainAsync();
        return db;
    }

    public async Task StartAgainAsync() =>
        ServerConnectionString = (await ScriptAsync("start", _folder, _port.ToString(System.Globalization.CultureInfo.InvariantCulture))).Trim();

    public Task StopAsync() => ScriptAsync("stop", _folder);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // left for the next run's clean-up
        }
    }

    private static async Task<string> ScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(MariaDb.RepositoryRoot, "scripts", "mariadb.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/mariadb.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}
