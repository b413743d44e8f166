using StackScope.Agent.Engines;
using StackScope.Contracts;

namespace StackScope.Agent.Lifecycle;

/// <summary>
/// When two events are the same one: a stream event sent already (the engine's replay after a reconnect), or the
/// twin of one reconstructed from a sample (the same action within a window of the engine's own time).
/// </summary>
internal static class EventMatching
{
    private const long Second = 1_000_000_000L;

    /// <summary>How far apart the stream's event and inspect's time of the same thing may be (dockerd logs both within ms).</summary>
    private const long MatchWindow = Second;

    /// <summary>The oom event precedes the die it causes; health events follow the check's end.</summary>
    private const long LooseWindow = 3 * Second;

    /// <summary>The stream's event as sent, or null when it was sent already (replay), reconstructed already (twin), or repeats the known health.</summary>
    public static EmittedEvent? Accept(List<EmittedEvent> emitted, Dictionary<string, KnownContainer> known, EngineEvent incoming)
    {
        if (emitted.Any(e => e.ContainerId == incoming.ContainerId && e.Action == incoming.Action && e.TimeNano == incoming.TimeNano && !e.Reconciled))
        {
            return null;
        }

        var twin = emitted.FindIndex(e => e.Reconciled && !e.Matched && e.ContainerId == incoming.ContainerId && e.Action == incoming.Action &&
            e.Health == incoming.Health && Math.Abs(e.TimeNano - incoming.TimeNano) <= Window(incoming.Action));
        if (twin >= 0)
        {
            emitted[twin] = emitted[twin] with { Matched = true };
            return null;
        }

        if (incoming.Action == ContainerActions.HealthStatus)
        {
            // Podman repeats health_status on every check; only a change is an event.
            var last = emitted.Where(e => e.ContainerId == incoming.ContainerId && e.Action == ContainerActions.HealthStatus)
                .OrderBy(e => e.TimeNano).LastOrDefault()?.Health ?? known.GetValueOrDefault(incoming.ContainerId)?.Health;
            if (last == incoming.Health)
            {
                return null;
            }
        }

        return new EmittedEvent(incoming.ContainerId, incoming.Action, incoming.TimeNano, Reconciled: false, incoming.Health, Matched: false);
    }

    public static long Window(string action) => action is ContainerActions.Oom or ContainerActions.HealthStatus ? LooseWindow : MatchWindow;

    public static bool SameKey(EngineEvent a, EngineEvent b) =>
        a.ContainerId == b.ContainerId && a.Action == b.Action && a.TimeNano == b.TimeNano;
}
