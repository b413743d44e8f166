using System.Globalization;

namespace StackScope.Agent.Engines;

/// <summary>
/// Turns an engine's container event into the actions a report carries, named as Docker names them. The dialects
/// differ: Docker sends "health_status: healthy" as the action, Podman a bare "health_status" with the value in an
/// attribute (and repeats it on every check: the tracker keeps only changes); Podman's libpod names "died" what Docker
/// names "die". Everything else (exec_*, attach, resize, top, commit...) is not a lifecycle event and is dropped.
/// </summary>
internal static class EventNormalizer
{
    public static EngineEvent? Normalize(string? type, string? action, string? id, long timeNano, IReadOnlyDictionary<string, string>? attributes)
    {
        if (!string.Equals(type, "container", StringComparison.Ordinal) || string.IsNullOrEmpty(action) || id is null || !Contracts.ContainerStat.IsValidId(id) ||
            timeNano <= 0)
        {
            return null;
        }

        string? health = null;
        if (action.StartsWith(Contracts.ContainerActions.HealthStatus, StringComparison.Ordinal))
        {
            health = action.Length > Contracts.ContainerActions.HealthStatus.Length
                ? action[(Contracts.ContainerActions.HealthStatus.Length + 1)..].Trim()
                : Attribute(attributes, "health_status");
            action = Contracts.ContainerActions.HealthStatus;
            if (!Contracts.ContainerHealth.IsKnown(health))
            {
                return null;
            }
        }

        action = action switch
        {
            "died" => Contracts.ContainerActions.Die,
            "remove" => Contracts.ContainerActions.Destroy,
            _ => action,
        };
        if (!Contracts.ContainerActions.IsKnown(action))
        {
            return null;
        }

        return new EngineEvent(id, (Attribute(attributes, "name") ?? id[..Math.Min(12, id.Length)]).TrimStart('/'), action, timeNano,
            Attribute(attributes, "image"),
            action == Contracts.ContainerActions.Die ? Integer(attributes, "exitCode") : null,
            action == Contracts.ContainerActions.Kill ? Signal(Attribute(attributes, "signal")) : null,
            health);
    }

    private static string? Attribute(IReadOnlyDictionary<string, string>? attributes, string key) =>
        attributes is not null && attributes.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private static int? Integer(IReadOnlyDictionary<string, string>? attributes, string key) =>
        int.TryParse(Attribute(attributes, key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    // Docker passes the number ("15"); `docker kill -s TERM` and Podman may pass the name.
    private static int? Signal(string? value) => value switch
    {
        null => null,
        _ when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        _ => value.ToUpperInvariant().Replace("SIG", "", StringComparison.Ordinal) switch
        {
            "HUP" => 1,
            "INT" => 2,
            "QUIT" => 3,
            "KILL" => 9,
            "USR1" => 10,
            "USR2" => 12,
            "TERM" => 15,
            _ => null,
        },
    };
}
