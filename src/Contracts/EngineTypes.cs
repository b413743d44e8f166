namespace StackScope.Contracts;

/// <summary>Container engines a report may name in <c>engine_type</c>.</summary>
public static class EngineTypes
{
    public const string Docker = "docker";
    public const string Podman = "podman";

    /// <summary>containerd's CRI plugin on a Kubernetes node, read as kubelet reads it.</summary>
    public const string Containerd = "containerd";

    /// <summary>CRI-O on a Kubernetes node.</summary>
    public const string CriO = "cri-o";

    /// <summary>The longest engine type (the MySQL column is 16 characters).</summary>
    public const int MaxLength = 16;

    /// <summary>The engines this version's agent samples.</summary>
    public static readonly IReadOnlyList<string> Known = [Docker, Podman, Containerd, CriO];

    public static bool IsKnown(string? value) => value is Docker or Podman or Containerd or CriO;

    /// <summary>
    /// What a server takes as an engine type: 1-16 characters of <c>[a-z0-9._-]</c>, starting with a letter or digit.
    /// Not only <see cref="Known"/>: an agent upgraded before its server (a new engine: containerd, CRI-O) must never be
    /// refused, or its reports are parked for good; the server stores and shows a type it does not know yet.
    /// </summary>
    private static bool LowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    public static bool IsWellFormed(string? value)
    {
        if (value is not { Length: >= 1 and <= MaxLength } || !LowerOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(LowerOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
