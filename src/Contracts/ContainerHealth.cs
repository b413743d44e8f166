namespace StackScope.Contracts;

/// <summary>A container's health check state as the engines name it; a container without a check has none.</summary>
public static class ContainerHealth
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Starting = "starting";

    public static bool IsKnown(string? value) => value is Healthy or Unhealthy or Starting;
}
