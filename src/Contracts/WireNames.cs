using System.Security.Cryptography;
using System.Text;

namespace StackScope.Contracts;

/// <summary>
/// The rule for <c>node_name</c> and <c>container_name</c>, stated once for the server (which refuses a report that
/// breaks it) and the agent (which makes every name fit, so one odd container never costs the whole report).
/// </summary>
public static class WireNames
{
    public const int MaxLength = 255;

    // Room for "~" and 12 hex digits of the original's SHA-256 after a shortened name.
    private const int KeptLength = MaxLength - 13;

    /// <summary>Why a name breaks the rule, or null when it is fine.</summary>
    public static string? Problem(string? name, bool isContainerName)
    {
        if (name is null || name.Length is 0 or > MaxLength)
        {
            return $"must be 1-{MaxLength} characters, got {name?.Length ?? 0}";
        }

        if (name.Any(char.IsControl))
        {
            return "must not contain control characters";
        }

        // MariaDB/MySQL compare utf8mb4_bin with PAD SPACE: 'web' and 'web ' would be one key there and one row would
        // vanish, while SQLite keeps both. No engine names a container or host with a trailing space.
        if (name[^1] == ' ')
        {
            return "must not end with a space";
        }

        // A container name is a path segment of the query API and the dashboard: '/' would split it, and '.' or '..'
        // are folded away by browsers. No engine allows either as a container name.
        return isContainerName && (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            ? "must not contain '/' nor be '.' or '..'"
            : null;
    }

    /// <summary>
    /// The name itself when it keeps the rule; otherwise a stable stand-in that does: offending characters become
    /// '_', trailing spaces go, and the result is cut and marked with "~" and the start of the original's SHA-256, so
    /// the same original always maps to the same, distinct name.
    /// </summary>
    public static string Fit(string name, bool isContainerName)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Problem(name, isContainerName) is null)
        {
            return name;
        }

        var cleaned = new StringBuilder(Math.Min(name.Length, KeptLength));
        foreach (var c in name)
        {
            cleaned.Append(char.IsControl(c) || (isContainerName && c == '/') ? '_' : c);
        }

        var kept = cleaned.ToString().TrimEnd(' ');
        kept = kept.Length > KeptLength ? kept[..KeptLength] : kept;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
        return $"{kept}~{hash}";
    }
}
