using StackScope.Agent.Engines;
using StackScope.Contracts;

namespace StackScope.Agent.Lifecycle;

/// <summary>
/// Turns the engines' event streams and the containers' inspected state into the events each report carries, none
/// missed and none doubled. The stream says what happened as it happens; it loses what happened while the agent or
/// the engine was away, so every sample is also reconciled with inspect (start and finish times, exit code, OOM flag,
/// health) and with the cgroup's OOM kill counter: a change the stream did not report is reconstructed from the
/// engine's own times, so reconstructing it again yields the same event key. An event is recorded once: a stream event
/// already sent (the engine's replay after a reconnect) or already reconstructed (its twin within a second) is dropped.
/// <para>
/// <see cref="Plan"/> computes a report's events without changing anything; <see cref="Commit"/> applies the plan once
/// the report is in the spool, and persists the state, so a report that never reached the spool loses nothing.
/// </para>
/// </summary>
internal sealed class LifecycleTracker
{
    private const long Second = 1_000_000_000L;

    /// <summary>A change younger than this may still have its stream event on the way: it waits for the next sample.</summary>
    private const long Grace = 2 * Second;

    /// <summary>Sent events are remembered this long to recognise replays and twins.</summary>
    private const long Remember = 15 * 60 * Second;

    private const int RememberPerContainer = 64;

    private static readonly long MaxAhead = EngineTime.MaxAheadOfAgent.Ticks * 100;

    private readonly Lock _gate = new();
    private readonly List<(string Engine, EngineEvent Event)> _incoming = [];
    private readonly Dictionary<string, EngineLifecycleState> _engines = new(StringComparer.Ordinal);
    private readonly LifecycleStore? _store;
    private readonly string _nodeName;

    // Events after this instant are reconstructed for containers the tracker has never seen: the state's save time
    // after a restart, else the agent's start (so the first sample of a first start sends no history).
    private readonly long _knownSince;
    private readonly bool _restored;

    public LifecycleTracker(string nodeName, LifecycleStore? store, long nowNano)
    {
        _nodeName = nodeName;
        _store = store;
        var state = store?.Load();
        _restored = state is not null;
        _knownSince = state?.SavedAtNano ?? nowNano;
        foreach (var (engine, saved) in state?.Engines ?? [])
        {
            _engines[engine] = saved;
        }
    }

    /// <summary>Where an engine's event stream should resume: after what was sent, or what arrived since.</summary>
    public long? ResumeFrom(string engine)
    {
        lock (_gate)
        {
            var newest = _incoming.Where(i => i.Engine == engine).Select(i => i.Event.TimeNano).DefaultIfEmpty(0).Max();
            var cursor = _engines.TryGetValue(engine, out var state) ? state.CursorNano : 0;
            var from = Math.Max(newest, cursor);
            // After a restart without any stream event sent yet, replay from when the agent went away.
            return from > 0 ? from : _restored ? _knownSince : null;
        }
    }

    public void Enqueue(string engine, EngineEvent engineEvent)
    {
        ArgumentNullException.ThrowIfNull(engineEvent);
        lock (_gate)
        {
            // A replay after a reconnect repeats what is still waiting here.
            if (!_incoming.Any(i => i.Engine == engine && EventMatching.SameKey(i.Event, engineEvent)))
            {
                _incoming.Add((engine, engineEvent));
            }
        }
    }

    /// <summary>
    /// The events for the next report of <paramref name="engine"/>, given its containers as sampled now; at most
    /// <paramref name="maxStreamed"/> from the stream (the rest wait for the next report), so several engines share a report's room.
    /// </summary>
    public LifecyclePlan Plan(string engine, IReadOnlyList<ContainerSample> samples, long nowNano, int maxStreamed = ContainerEvent.MaxPerReport)
    {
        ArgumentNullException.ThrowIfNull(samples);
        lock (_gate)
        {
            var saved = _engines.GetValueOrDefault(engine);
            var emitted = saved?.Emitted.ToList() ?? [];
            var known = saved is null ? new Dictionary<string, KnownContainer>(StringComparer.Ordinal) : new Dictionary<string, KnownContainer>(saved.Known, StringComparer.Ordinal);
            var events = new List<(EmittedEvent Key, ContainerEvent Wire)>();
            var cursor = saved?.CursorNano ?? 0;
            var consumed = 0;

            foreach (var (from, incoming) in _incoming)
            {
                if (events.Count >= maxStreamed)
                {
                    break;
                }

                // An engine whose clock runs ahead of the agent's (a remote tcp:// engine) would have the server refuse
                // the whole report: its event waits, with those after it, until the agent's clock has caught up.
                if (from == engine && incoming.TimeNano > nowNano + MaxAhead)
                {
                    break;
                }

                consumed++;
                if (from != engine)
                {
                    continue;
                }

                cursor = Math.Max(cursor, incoming.TimeNano);
                if (EventMatching.Accept(emitted, known, incoming) is { } key)
                {
                    emitted.Add(key);
                    events.Add((key, EventWire.Of(incoming, ContainerActions.SourceEngine, _nodeName)));
                }
            }

            // Only this engine's events were consumed; another engine's stay queued for its own plan.
            var consumedEvents = _incoming.Take(consumed).Where(i => i.Engine == engine).ToList();

            var firstEver = saved is null && !_restored;
            foreach (var sample in samples)
            {
                if (sample.Lifecycle is not { } now)
                {
                    continue;
                }

                var before = known.GetValueOrDefault(sample.Id);
                var oomKills = sample.Counters?.OomKills;
                if (before is null && firstEver)
                {
                    known[sample.Id] = new KnownContainer(now.StartedNano, now.FinishedNano, now.Health, oomKills, 0);
                    continue;
                }

                var floor = before is null ? _knownSince : 0;
                before ??= new KnownContainer(0, 0, null, oomKills, 0);
                known[sample.Id] = Reconcile(sample, now, before, oomKills, floor, nowNano, emitted, events);
            }

            // Containers gone from the engine are forgotten; their sent events are remembered for a while all the same.
            var listed = samples.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in known.Keys.Where(id => !listed.Contains(id)).ToList())
            {
                known.Remove(gone);
            }

            emitted = emitted.Where(e => e.TimeNano >= nowNano - Remember)
                .GroupBy(e => e.ContainerId, StringComparer.Ordinal)
                .SelectMany(g => g.OrderBy(e => e.TimeNano).TakeLast(RememberPerContainer)).ToList();

            // Most samples change nothing: then there is nothing to write (an fsync a cycle saved).
            var changed = saved is null || events.Count > 0 || consumedEvents.Count > 0 || cursor != saved.CursorNano ||
                !emitted.SequenceEqual(saved.Emitted) || known.Count != saved.Known.Count ||
                known.Any(k => !saved.Known.TryGetValue(k.Key, out var before) || before != k.Value);
            return new LifecyclePlan(engine, events.OrderBy(e => e.Key.TimeNano).Select(e => e.Wire).ToList(), consumedEvents,
                new EngineLifecycleState(cursor, known, emitted), nowNano, changed);
        }
    }

    /// <summary>The plan's report is in the spool: its events count as sent from now on, also after a restart.</summary>
    public void Commit(LifecyclePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.Changed)
        {
            return;
        }

        LifecycleState snapshot;
        lock (_gate)
        {
            foreach (var done in plan.Consumed)
            {
                var index = _incoming.FindIndex(i => i.Engine == plan.Engine && ReferenceEquals(i.Event, done.Event));
                if (index >= 0)
                {
                    _incoming.RemoveAt(index);
                }
            }

            _engines[plan.Engine] = plan.State;
            snapshot = new LifecycleState(plan.AtNano, new Dictionary<string, EngineLifecycleState>(_engines, StringComparer.Ordinal));
        }

        _store?.Save(snapshot);
    }

    private KnownContainer Reconcile(ContainerSample sample, ContainerLifecycle now, KnownContainer before, long? oomKills, long floor, long nowNano,
        List<EmittedEvent> emitted, List<(EmittedEvent Key, ContainerEvent Wire)> events)
    {
        var started = before.StartedNano;
        if (now.StartedNano != before.StartedNano)
        {
            started = Resolve(sample, ContainerActions.Start, now.StartedNano, null, null, floor, nowNano, emitted, events) ? now.StartedNano : before.StartedNano;
        }

        var finished = before.FinishedNano;
        if (now.FinishedNano != before.FinishedNano)
        {
            var resolved = Resolve(sample, ContainerActions.Die, now.FinishedNano, now.ExitCode, null, floor, nowNano, emitted, events);
            if (resolved && now.OomKilled)
            {
                // inspect's OOMKilled: the run that just ended was killed by the OOM killer. Its stream event may still be
                // on the way when the die's has come: the run's end is looked at again next sample, not taken as told.
                resolved = Resolve(sample, ContainerActions.Oom, now.FinishedNano, null, null, floor, nowNano, emitted, events);
            }

            finished = resolved ? now.FinishedNano : before.FinishedNano;
        }

        var health = before.Health;
        if (now.Health != before.Health)
        {
            // "starting" is where every run with a check begins, not news; a check removed is no event either.
            health = now.Health is ContainerHealth.Healthy or ContainerHealth.Unhealthy
                ? Resolve(sample, ContainerActions.HealthStatus, now.HealthChangedNano > 0 ? now.HealthChangedNano : nowNano, null, now.Health, 0, nowNano,
                    emitted, events) ? now.Health : before.Health
                : now.Health;
        }

        // The cgroup's own counter: an OOM kill of any process in the container, also one that did not end it.
        var kills = before.OomKills;
        var pending = before.OomPendingNano;
        if (oomKills is { } count && before.OomKills is { } previous && count > previous)
        {
            var since = pending > 0 ? pending : nowNano;
            var explained = emitted.Any(e => e.ContainerId == sample.Id && e.Action == ContainerActions.Oom && e.TimeNano >= since - (10 * Second));
            if (explained)
            {
                (kills, pending) = (count, 0);
            }
            else if (pending == 0)
            {
                pending = nowNano; // give the stream's oom event a sample's time to arrive
            }
            else
            {
                Emit(sample, ContainerActions.Oom, pending, null, null, emitted, events);
                (kills, pending) = (count, 0);
            }
        }
        else if (oomKills is not null)
        {
            (kills, pending) = (oomKills, 0);
        }

        return new KnownContainer(started, finished, health, kills, pending);
    }

    /// <summary>True when the change is accounted for (sent now, sent before, or before the floor); false to look again next sample.</summary>
    private bool Resolve(ContainerSample sample, string action, long atNano, int? exitCode, string? health, long floor, long nowNano,
        List<EmittedEvent> emitted, List<(EmittedEvent Key, ContainerEvent Wire)> events)
    {
        if (atNano <= 0 || atNano <= floor)
        {
            return true;
        }

        if (emitted.Any(e => e.ContainerId == sample.Id && e.Action == action && e.Health == health && Math.Abs(e.TimeNano - atNano) <= EventMatching.Window(action)))
        {
            return true;
        }

        // Too young for the stream's copy to have arrived, or ahead of the agent's clock (see Plan): next sample.
        if (nowNano - atNano < Grace)
        {
            return false;
        }

        Emit(sample, action, atNano, exitCode, health, emitted, events);
        return true;
    }

    private void Emit(ContainerSample sample, string action, long atNano, int? exitCode, string? health, List<EmittedEvent> emitted,
        List<(EmittedEvent Key, ContainerEvent Wire)> events)
    {
        var key = new EmittedEvent(sample.Id, action, atNano, Reconciled: true, health, Matched: false);
        emitted.Add(key);
        var image = sample.Lifecycle?.Image ?? sample.Image;
        events.Add((key, EventWire.Of(new EngineEvent(sample.Id, sample.Name, action, atNano, image, exitCode, null, health), ContainerActions.SourceReconciled, _nodeName)));
    }
}
