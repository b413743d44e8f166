using System.Text;
using System.Text.RegularExpressions;
using StackScope.Contracts;

namespace StackScope.Agent.Host;

/// <summary>
/// The host's real mounted file systems and their use, as node_exporter's filesystem collector shows them by default:
/// the mounts of /proc/mounts less its default exclusions (pseudo, overlay and container-storage mounts), sized by
/// statfs as df does (used = total - free, root's reserve counted as free). Mounts are those the agent sees: run it on
/// the host, or mount what it should watch into its container.
/// </summary>
internal sealed partial class FileSystemCollector(string procRoot) : IDisposable
{
    private readonly MountTable _mounts = new(Path.Combine(procRoot, "mounts"));

    // node_exporter collector/filesystem_linux.go: defMountPointsExcluded and defFSTypesExcluded.
    [GeneratedRegex("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)")]
    private static partial Regex ExcludedMountPoints();

    [GeneratedRegex("^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$")]
    private static partial Regex ExcludedTypes();

    public IReadOnlyList<FileSystemStat> Collect()
    {
        var result = new List<FileSystemStat>();
        foreach (var (mountPoint, type) in _mounts.Read(RealMounts))
        {
            try
            {
                var drive = new DriveInfo(mountPoint);
                var total = drive.TotalSize;
                result.Add(new FileSystemStat { MountPoint = mountPoint, FsType = type, TotalBytes = total, UsedBytes = Math.Max(0, total - drive.TotalFreeSpace) });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Unmounted meanwhile, or not ours to stat (node_exporter skips these too).
            }
        }

        return result;
    }

    public void Dispose() => _mounts.Dispose();

    /// <summary>Mount point and type of each mount kept, the later of two mounts on one point winning (it is the one visible).</summary>
    internal static IReadOnlyList<(string MountPoint, string Type)> RealMounts(string mounts)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var line in mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 3)
            {
                continue;
            }

            var mountPoint = Unescape(fields[1]);
            var type = fields[2];
            if (ExcludedTypes().IsMatch(type) || ExcludedMountPoints().IsMatch(mountPoint) ||
                mountPoint.Length > FileSystemStat.MaxMountPointLength || mountPoint.Any(char.IsControl) || type.Length > FileSystemStat.MaxTypeLength)
            {
                continue;
            }

            if (!kept.ContainsKey(mountPoint))
            {
                order.Add(mountPoint);
            }

            kept[mountPoint] = type;
        }

        return order.Take(FileSystemStat.MaxPerReport).Select(m => (m, kept[m])).ToList();
    }

    /// <summary>The kernel writes space, tab, newline and backslash in mount points as octal escapes (\040...).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3) is var octal && !octal.ContainsAnyExceptInRange('0', '7'))
            {
                text.Append((char)Convert.ToInt32(octal.ToString(), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
