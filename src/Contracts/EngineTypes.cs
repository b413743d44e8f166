namespace StackScope.Contracts;

/// <summary>Container engines a report may name in <c>engine_type</c>.</summary>
public static class EngineTypes
{
    public const string Docker = "docker";
    public const string Podman = "podman";

    public static readonly IReadOnlyList<string> Known = [Docker, Podman];

    public static bool IsKnown(string? value) => value is Docker or Podman;
}
