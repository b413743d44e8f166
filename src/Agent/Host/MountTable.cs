using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace StackScope.Agent.Host;

/// <summary>
/// /proc/mounts, read again only when the kernel says the mount table changed. Every container adds its own mounts,
/// so with 50 of them the file is about 30 KB that the kernel renders (and the agent parsed) each cycle: about a tenth
/// of the agent's CPU, measured with perf. The kernel marks an open mounts file with POLLPRI once after each mount or
/// unmount (proc(5)); a file that never does so (a test's fixture, a kernel without it) is still read at least every
/// <see cref="MaxAge"/>.
/// </summary>
internal sealed partial class MountTable(string path) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private const short PollPri = 0x002;
    private const short PollErr = 0x008;

    private readonly Lock _lock = new(); // a collect abandoned at its budget may still run beside the next one
    private SafeFileHandle? _handle;
    private long _readAt;
    private object? _parsed;

    /// <summary>
    /// <paramref name="parse"/>'s result for the table as it is: parsed again only after a change (or <see cref="MaxAge"/>).
    /// </summary>
    public T Read<T>(Func<string, T> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        lock (_lock)
        {
            if (_handle is null)
            {
                _handle = KernelFile.Open(path); // from here on, changes are flagged to this handle
                _parsed = null;
            }

            if (_parsed is T known && !Changed(_handle) && Stopwatch.GetElapsedTime(_readAt) < MaxAge)
            {
                return known;
            }

            try
            {
                var parsed = parse(KernelFile.ReadAllText(_handle));
                _parsed = parsed;
                _readAt = Stopwatch.GetTimestamp();
                return parsed;
            }
            catch (IOException)
            {
                Close();
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    private void Close()
    {
        _handle?.Dispose();
        _handle = null;
        _parsed = null;
    }

    private static bool Changed(SafeFileHandle handle)
    {
        var fds = new PollFd { Fd = (int)handle.DangerousGetHandle(), Events = PollPri };
        // The kernel reports POLLERR | POLLPRI after a change, nothing otherwise. Should poll itself fail (EINTR...), read:
        // reading is always right.
        return Poll(ref fds, 1, 0) < 0 || (fds.Revents & (PollPri | PollErr)) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    // No managed API polls a file descriptor that is not a socket; LibraryImport is generated at build time (AOT-safe).
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);
}
