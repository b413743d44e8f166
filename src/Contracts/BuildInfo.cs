using System.Reflection;

namespace StackScope.Contracts;

/// <summary>What <c>--version</c> prints: the program's version and the commit it was built from.</summary>
public static class BuildInfo
{
    /// <summary>"ss-agent 0.7.0 (commit 1a2b3c4d5e6f)", or "(commit unknown)" when built outside a git checkout.</summary>
    public static string Describe(string program, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? informational : informational[..plus];
        var commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
        return $"{program} {version} (commit {(commit.Length > 12 ? commit[..12] : commit)})";
    }

    /// <summary>Whether the command line asks only for the version.</summary>
    public static bool Asked(IReadOnlyList<string> args) => args is ["--version"];
}
