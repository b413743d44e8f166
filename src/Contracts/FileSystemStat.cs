using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>One mounted file system of the host inside a <see cref="MonitorReport"/>, sizes in bytes as <c>df</c> counts them.</summary>
public sealed record FileSystemStat
{
    public const int MaxPerReport = 256;

    /// <summary>Mount points longer than this are left out by the agent and refused by the server (the database keys them).</summary>
    public const int MaxMountPointLength = 512;

    /// <summary>Longest <c>fs_type</c> (the kernel's names are short: ext4, xfs, tmpfs, fuse.sshfs).</summary>
    public const int MaxTypeLength = 32;

    [JsonPropertyName("mount_point")]
    public required string MountPoint { get; init; }

    /// <summary>The kernel's file system type (ext4, xfs, tmpfs...).</summary>
    [JsonPropertyName("fs_type")]
    public required string FsType { get; init; }

    /// <summary>f_blocks x f_frsize.</summary>
    [JsonPropertyName("total_bytes")]
    public required long TotalBytes { get; init; }

    /// <summary>(f_blocks - f_bfree) x f_frsize: what <c>df</c> shows as Used (root's reserve counts as free).</summary>
    [JsonPropertyName("used_bytes")]
    public required long UsedBytes { get; init; }
}
