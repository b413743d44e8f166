namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// A CRI runtime's container events, reconstructed by polling as kubelet's PLEG does: containerd 1.6 has no CRI event
/// stream, and 1.7's has a single subscriber (an agent subscribing would steal kubelet's events). Every attempt's
/// start, OOM kill, stop and end is read from <c>ContainerStatus</c> with the runtime's own nanosecond times, so the
/// same attempt yields the same events however often it is looked at (after a reconnect or an agent restart the
/// tracker drops what it sent already); a row whose every attempt has gone yields <c>destroy</c> at the agent's time.
/// </summary>
internal sealed class CriEventTrail(long floorNano)
{
    private const int SignalTerm = 15;

    // "id action" strings rather than tuples: a value-type element would get its own HashSet code in the AOT binary.
    private readonly HashSet<string> _yielded = new(StringComparer.Ordinal);
    private Dictionary<string, string> _rowOf = new(StringComparer.Ordinal);

    /// <summary>Whether the last listing held an end not yet told apart (see <see cref="CriExits"/>): look again next poll.</summary>
    public bool Waiting { get; private set; }

    /// <summary>What this listing tells that the trail has not told yet, oldest first.</summary>
    public List<EngineEvent> Next(CriListing listing, Func<string, CriStatus?> statusOf, long nowNano)
    {
        var events = new List<EngineEvent>();
        Waiting = false;
        foreach (var container in listing.Containers)
        {
            if (statusOf(container.Id) is not { } status)
            {
                continue;
            }

            var name = listing.RowName(container);
            var image = status.Image.Length > 0 ? status.Image : container.Image;
            if (status.StartedAt > 0)
            {
                Add(events, new EngineEvent(container.Id, name, Contracts.ContainerActions.Start, status.StartedAt, image, null, null, null));
            }

            if (status.State != CriState.Exited || status.FinishedAt <= 0)
            {
                continue;
            }

            var exit = CriExits.Classify(status, listing.SandboxOf(container), listing.Superseded(container), nowNano);
            if (exit == CriExit.Undecided)
            {
                Waiting = true;
                continue;
            }

            // One nanosecond before the end: the server reads a kill or an oom as the cause of the die that follows.
            if (exit == CriExit.Stopped)
            {
                Add(events, new EngineEvent(container.Id, name, Contracts.ContainerActions.Kill, status.FinishedAt - 1, image, null, SignalTerm, null));
            }

            if (status.Reason == CriExits.OomReason)
            {
                Add(events, new EngineEvent(container.Id, name, Contracts.ContainerActions.Oom, status.FinishedAt - 1, image, null, null, null));
            }

            Add(events, new EngineEvent(container.Id, name, Contracts.ContainerActions.Die, status.FinishedAt, image, status.ExitCode, null, null));
        }

        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        var listedRows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in listing.Containers)
        {
            rows[container.Id] = listing.RowName(container);
            listedRows.Add(rows[container.Id]);
        }

        foreach (var (id, row) in _rowOf)
        {
            if (!rows.ContainsKey(id) && listedRows.Add(row)) // once per row, however many attempts it had
            {
                Add(events, new EngineEvent(id, row, Contracts.ContainerActions.Destroy, nowNano, null, null, null, null));
            }
        }

        _rowOf = rows;
        _yielded.RemoveWhere(y => !rows.ContainsKey(y[..y.IndexOf(' ', StringComparison.Ordinal)]));
        events.Sort(static (a, b) => a.TimeNano.CompareTo(b.TimeNano));
        return events;
    }

    private void Add(List<EngineEvent> events, EngineEvent engineEvent)
    {
        if (engineEvent.TimeNano > floorNano && _yielded.Add(engineEvent.ContainerId + " " + engineEvent.Action))
        {
            events.Add(engineEvent);
        }
    }
}
