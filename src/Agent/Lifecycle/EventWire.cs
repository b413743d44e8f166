using StackScope.Agent.Engines;
using StackScope.Contracts;

namespace StackScope.Agent.Lifecycle;

/// <summary>An engine's event as a report carries it, its fields fitted to what the server keeps.</summary>
internal static class EventWire
{
    public static ContainerEvent Of(EngineEvent e, string source, string nodeName) => new()
    {
        ContainerId = e.ContainerId,
        ContainerName = WireNames.Fit(e.Name, isContainerName: true),
        NodeName = nodeName,
        Action = e.Action,
        OccurredAt = WireTimestamp.FromUnixNanos(e.TimeNano),
        TimeNano = e.TimeNano,
        Source = source,
        Image = WireImage(e.Image),
        ExitCode = e.ExitCode,
        Signal = e.Signal is >= 0 and <= 255 ? e.Signal : null,
        Health = e.Health,
    };

    /// <summary>An image reference the server keeps, else none (one odd field never costs the report).</summary>
    internal static string? WireImage(string? image) => image is not null && ContainerStat.IsValidImage(image) ? image : null;
}
