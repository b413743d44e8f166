using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace StackScope.Agent.Host;

/// <summary>
/// Kernel files kept open from one cycle to the next and read again from offset 0: one pread per read instead of an
/// open, a read and a close (measured with perf: opening and closing a container's cgroup files was about a quarter of
/// the agent's CPU, the path walk of each open most of it). Grouped by owner (a container) so they close together when
/// it goes. Bounded (by default to half the process's open-file limit); past it, files are opened for each read as
/// before. One instance per reader: closing the files of owners not retained is that reader's own business.
/// </summary>
internal sealed class KernelFileHandles : IDisposable
{
    private readonly Lock _lock = new();
    // A null handle: the file does not exist (a kernel without pids.current): not looked for again while the owner lasts.
    private readonly Dictionary<string, Dictionary<string, SafeFileHandle?>> _owners = new(StringComparer.Ordinal);
    private readonly int _budget;
    private int _open;

    public KernelFileHandles(int? budget = null) => _budget = budget ?? DefaultBudget();

    /// <summary>Files held open now.</summary>
    public int OpenCount
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>
    /// The file's text, in this thread's buffer (<see cref="KernelFile.ReadChars(SafeFileHandle)"/>: parse it before the next read); false
    /// when it does not exist. Throws when it cannot be read (the owner is then closed).
    /// </summary>
    public bool TryRead(string owner, string path, out ReadOnlySpan<char> text)
    {
        SafeFileHandle? handle = null;
        bool known;
        lock (_lock)
        {
            known = _owners.TryGetValue(owner, out var files) && files.TryGetValue(path, out handle);
        }

        if (known)
        {
            text = handle is null ? default : KernelFile.ReadChars(handle);
            return handle is not null;
        }

        try
        {
            handle = KernelFile.Open(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Keep(owner, path, null);
            text = default;
            return false;
        }

        text = KernelFile.ReadChars(handle);
        if (!Keep(owner, path, handle))
        {
            handle.Dispose();
        }

        return true;
    }

    public ReadOnlySpan<char> Read(string owner, string path) =>
        TryRead(owner, path, out var text) ? text : throw new FileNotFoundException("no such kernel file", path);

    /// <summary>Closes an owner's files (a container gone, or one whose files failed: they are opened afresh next time).</summary>
    public void Close(string owner)
    {
        lock (_lock)
        {
            if (_owners.Remove(owner, out var files))
            {
                Release(files);
            }
        }
    }

    /// <summary>Closes the files of every owner but those given (and <paramref name="keep"/>, e.g. the host's).</summary>
    public void Retain(IReadOnlySet<string> owners, string keep)
    {
        ArgumentNullException.ThrowIfNull(owners);
        lock (_lock)
        {
            foreach (var owner in _owners.Keys.Where(o => o != keep && !owners.Contains(o)).ToList())
            {
                _owners.Remove(owner, out var files);
                Release(files!);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var files in _owners.Values)
            {
                Release(files);
            }

            _owners.Clear();
        }
    }

    private bool Keep(string owner, string path, SafeFileHandle? handle)
    {
        lock (_lock)
        {
            if (handle is not null && _open >= _budget)
            {
                return false;
            }

            if (!_owners.TryGetValue(owner, out var files))
            {
                _owners[owner] = files = new Dictionary<string, SafeFileHandle?>(StringComparer.Ordinal);
            }

            if (!files.TryAdd(path, handle))
            {
                return false; // another thread kept one first
            }

            _open += handle is null ? 0 : 1;
            return true;
        }
    }

    private void Release(Dictionary<string, SafeFileHandle?> files)
    {
        foreach (var handle in files.Values)
        {
            if (handle is not null)
            {
                handle.Dispose();
                _open--;
            }
        }
    }

    /// <summary>
    /// Half the process's soft open-file limit. Native AOT does not raise the soft limit to the hard one at start as the
    /// CLR host does: under a plain shell it is often 1024. The agent's unit raises it (LimitNOFILE).
    /// </summary>
    public static int DefaultBudget()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return soft == "unlimited" ? 65536 : Math.Max(0, int.Parse(soft, CultureInfo.InvariantCulture) / 2);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return 512;
    }
}
