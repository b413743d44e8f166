using System.Diagnostics;

namespace StackScope.Tests.Common;

/// <summary>A real program started by a test, with every line it writes (stdout and stderr) kept for assertions.</summary>
public sealed class CapturedProcess : IDisposable
{
    private readonly List<string> _lines = [];

    public CapturedProcess(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        Process.OutputDataReceived += (_, e) => Keep(e.Data);
        Process.ErrorDataReceived += (_, e) => Keep(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public bool HasExited => Process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>The first line that matches, once written; fails with the program's last lines if it exits or times out first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (Process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Process.StartInfo.FileName} did not print the expected line:\n" + string.Join('\n', Lines.TakeLast(40)));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Sends a signal the way a service manager or Ctrl-C would, and waits for the exit code.</summary>
    public async Task<int> SignalAndWaitAsync(string signal, TimeSpan timeout)
    {
        if (!Process.HasExited)
        {
            using var kill = Process.Start("kill", ["-" + signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var cancel = new CancellationTokenSource(timeout);
            await Process.WaitForExitAsync(cancel.Token);
        }

        return Process.ExitCode;
    }

    /// <summary>SIGKILL (no shutdown hooks, no flushing), then waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
    }

    public void Dispose() => Process.Dispose();

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
