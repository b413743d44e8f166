using System.Globalization;

namespace StackScope.Server.Alerts;

/// <summary>
/// Evaluates rules on sample time: an agent's reports and container events are fed in the order they were taken,
/// whenever they arrive, and each (rule, target) steps its state machine at the sample's instant. Late samples (an
/// agent's spool after an outage) change state like any other but are told once, in a backfill summary. Absence is
/// the one rule on the server's clock. Pure and single-threaded: the evaluator owns it while it holds the lease.
/// </summary>
internal sealed class AlertEngine(AlertOptions options)
{
    private static readonly int[] StopCodes = [130, 137, 143];

    private readonly Dictionary<(string Rule, string Target), TargetState> _states = [];
    private readonly Dictionary<string, HashSet<(string Rule, string Target)>> _agentStates = new(StringComparer.Ordinal);
    // Per target (host, file system, container): its metric windows and a cache of its states, by rule index, so a
    // sample costs one lookup per target rather than one per rule and target.
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private Dictionary<string, int> _ruleIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerMemo> _memos = new(StringComparer.Ordinal);

    // Agents whose last sample listed every container (an engine read, at least one container).
    private readonly HashSet<string> _listedBefore = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backfill> _backfills = new(StringComparer.Ordinal);
    private readonly List<AlertOutcome> _out = [];
    // The states changed since the last TakeDirty: a list, not a scan, as every container has a restart counter's state.
    private readonly List<TargetState> _dirty = [];
    private List<CompiledRule> _rules = [];
    private int _windowCount;
    private List<CompiledRule> _absenceRules = [];
    private DateTime _now;
    private IReadOnlyList<(AlertSilence Silence, Glob Agent, Glob Container, Glob Rule)> _silences = [];

    public void SetRules(IEnumerable<AlertRule> rules)
    {
        var enabled = rules.Where(r => r.Enabled).ToList();
        // Rules on one metric over one window (a warning and a critical threshold, say) share that window per target.
        var windows = enabled.Where(r => r.WindowSeconds is > 0).Select(r => (r.Metric, r.WindowSeconds)).Distinct().ToList();
        _windowCount = windows.Count;
        _rules = enabled.Select((r, i) => new CompiledRule(r) { Index = i, WindowIndex = windows.IndexOf((r.Metric, r.WindowSeconds)) }).ToList();
        _ruleIndex = _rules.ToDictionary(r => r.Rule.Name, r => r.Index, StringComparer.Ordinal);
        _absenceRules = _rules.Where(r => r.Rule.Kind == AlertKinds.Absence).ToList();
        // Windows start afresh with new rules (an edit may have changed them); the states stay.
        _slots.Clear();
        var names = _rules.Select(r => r.Rule.Name).ToHashSet(StringComparer.Ordinal);
        // A rule removed or disabled takes its alerts with it, quietly: nobody is left to tell them to.
        foreach (var key in _states.Where(s => !names.Contains(s.Value.Rule)).Select(s => s.Key).ToList())
        {
            Forget(key);
        }
    }

    /// <summary>
    /// The silences in force. One whose pattern no longer parses (stored by an older version, or edited in the database)
    /// is left out and returned, so the caller can say so: it must not stop every other silence and rule.
    /// </summary>
    public IReadOnlyList<AlertSilence> SetSilences(IEnumerable<AlertSilence> silences)
    {
        var usable = new List<(AlertSilence, Glob, Glob, Glob)>();
        var refused = new List<AlertSilence>();
        foreach (var s in silences)
        {
            if (Glob.TryParse(s.AgentGlob, out _) is { } agent && Glob.TryParse(s.ContainerGlob, out _) is { } container
                && Glob.TryParse(s.RuleGlob, out _) is { } rule)
            {
                usable.Add((s, agent, container, rule));
            }
            else
            {
                refused.Add(s);
            }
        }

        _silences = usable;
        return refused;
    }

    public void Load(IEnumerable<TargetState> states)
    {
        foreach (var state in states)
        {
            Track(Key(state.Rule, state.Target), state);
        }
    }

    /// <summary>States changed since the last call (to store), and the keys of those now idle (to delete).</summary>
    public (IReadOnlyList<TargetState> Changed, IReadOnlyList<TargetState> Idle) TakeDirty()
    {
        // Only those still tracked: a rule removed since took its states with it, and they are not stored again.
        var dirty = _dirty.Where(s => _states.TryGetValue(Key(s.Rule, s.Target), out var tracked) && ReferenceEquals(tracked, s)).ToList();
        foreach (var state in _dirty)
        {
            state.Dirty = false;
        }

        _dirty.Clear();

        var idle = dirty.Where(s => s.IsIdle).ToList();
        foreach (var state in idle)
        {
            Forget(Key(state.Rule, state.Target));
        }

        return (dirty.Where(s => !s.IsIdle).ToList(), idle);
    }

    /// <summary>One agent's new samples (sample-time order) and events (id order); the changes they cause.</summary>
    public IReadOnlyList<AlertOutcome> Process(string agentId, IReadOnlyList<AgentSample> samples, IReadOnlyList<EventPoint> events, DateTime now)
    {
        _out.Clear();
        _now = now;
        var pending = events.OrderBy(e => e.OccurredAt).ToList();
        var next = 0;
        foreach (var sample in samples)
        {
            var late = IsLate(sample.Host.ReceivedAt, sample.Host.SampledAt);
            for (; next < pending.Count && pending[next].OccurredAt <= sample.Host.SampledAt; next++)
            {
                ApplyEvent(agentId, pending[next], sample);
            }

            EvaluateSample(agentId, sample, late);
            if (!late)
            {
                EndBackfill(agentId);
            }
        }

        for (; next < pending.Count; next++)
        {
            ApplyEvent(agentId, pending[next], null);
        }

        return [.. _out];
    }

    /// <summary>Absence rules on the server's clock; <paramref name="watchingSince"/> is when this process began to evaluate.</summary>
    public IReadOnlyList<AlertOutcome> CheckAbsence(IEnumerable<AgentClock> agents, DateTime now, DateTime watchingSince)
    {
        _out.Clear();
        foreach (var agent in agents)
        {
            foreach (var rule in _absenceRules)
            {
                if (rule.MatchesAgent(agent.AgentId))
                {
                    CheckAbsence(rule, agent, now, watchingSince);
                }
            }
        }

        return [.. _out];
    }

    private void CheckAbsence(CompiledRule rule, AgentClock agent, DateTime now, DateTime watchingSince)
    {
        var limit = Math.Max(3 * agent.IntervalSeconds, rule.Rule.FloorSeconds ?? 60);
        var heard = agent.LastReceivedAt > watchingSince ? agent.LastReceivedAt : watchingSince;
        var silentFor = (now - heard).TotalSeconds;
        var state = Find(rule.Rule.Name, agent.AgentId);
        if (silentFor <= limit && state is null)
        {
            return;
        }

        state ??= Create(rule.Rule, agent.AgentId, agent.AgentId, null, null);
        var silent = silentFor > limit;
        var quietFor = Math.Round((now - agent.LastReceivedAt).TotalSeconds);
        Step(rule, state, now, silent, silent, silent ? quietFor : 0, late: false,
            () => silent ? $"agent {agent.AgentId} silent: no report for {quietFor} s (limit {limit} s; last sample {agent.LastSampleAt:u})"
                         : $"agent {agent.AgentId} reports again");
    }

    /// <summary>Backfill summaries of agents that caught up, and of any waiting longer than a minute.</summary>
    public IReadOnlyList<BackfillSummary> TakeBackfills(DateTime now)
    {
        var done = _backfills.Where(b => b.Value.Done || now - b.Value.OpenedAt > TimeSpan.FromMinutes(1)).ToList();
        foreach (var (agent, batch) in done)
        {
            _backfills.Remove(agent);
        }

        return done.Where(b => b.Value.Items.Count > 0).Select(b => new BackfillSummary(b.Key, b.Value.From, b.Value.To, b.Value.Items,
            b.Value.Items.SelectMany(i => i.Rule.Channels).Distinct(StringComparer.Ordinal).ToList())).ToList();
    }

    private bool IsLate(DateTime receivedAt, DateTime sampledAt) => (receivedAt - sampledAt).TotalSeconds > options.BackfillAfterSeconds;

    private void ApplyEvent(string agentId, EventPoint e, AgentSample? sample)
    {
        var memoKey = agentId + "/" + e.ContainerName;
        var memo = _memos.TryGetValue(memoKey, out var known) ? known : _memos[memoKey] = new ContainerMemo();
        var container = sample?.Containers.FirstOrDefault(c => c.Name == e.ContainerName) ?? memo.Last
            ?? new ContainerPoint(e.ContainerName, "unknown", 0, 0, 0);
        var late = IsLate(e.ReceivedAt, e.OccurredAt);
        switch (e.Action)
        {
            case "kill" or "stop":
                memo.StopRequested = true;
                break;
            case "start":
                memo.StopRequested = false;
                memo.Oom = false;
                SetFailed(agentId, container, e.OccurredAt, late, null, AlertConditions.ExitedNonZero, AlertConditions.OomKilled);
                break;
            case "oom":
                memo.Oom = true;
                SetFailed(agentId, container, e.OccurredAt, late, 137, AlertConditions.OomKilled);
                break;
            case "die":
                var code = e.ExitCode ?? 0;
                // The operator's own stop (SIGINT, SIGKILL, SIGTERM after a kill/stop) is not a failure; an OOM kill is its own alert.
                if (code != 0 && !(memo.StopRequested && StopCodes.Contains(code)) && !memo.Oom)
                {
                    SetFailed(agentId, container, e.OccurredAt, late, code, AlertConditions.ExitedNonZero);
                }

                break;
            case "destroy":
                Gone(agentId, e.ContainerName, e.OccurredAt, late);
                break;
        }
    }

    // failedCode null: clears the condition (the container runs again).
    private void SetFailed(string agentId, ContainerPoint container, DateTime at, bool late, int? failedCode, params string[] conditions)
    {
        foreach (var rule in _rules.Where(r => r.Rule.Kind == AlertKinds.State && conditions.Contains(r.Rule.Condition)
            && r.MatchesAgent(agentId) && r.MatchesContainer(container)))
        {
            var target = ContainerTarget(agentId, container.Name);
            var state = Find(rule.Rule.Name, target);
            if (failedCode is null && state is null)
            {
                continue;
            }

            state ??= Create(rule.Rule, target, agentId, container.Name, null);
            state.Failed = failedCode is not null;
            state.FailedCode = failedCode;
            Touch(state);
            var what = rule.Rule.Condition == AlertConditions.OomKilled ? "was OOM-killed" : $"exited with code {failedCode}";
            Step(rule, state, at, state.Failed, state.Failed, failedCode, late,
                () => (state.Failed ? $"container {container.Name} on {agentId} {what}" : $"container {container.Name} on {agentId} runs again"));
        }
    }

    private void EvaluateSample(string agentId, AgentSample sample, bool late)
    {
        var at = sample.Host.SampledAt;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var targets = new string[sample.Containers.Count];
        var slots = new Slot[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = ContainerTarget(agentId, sample.Containers[i].Name);
            slots[i] = SlotFor(targets[i]);
        }

        // A container absent from this agent's previous complete sample appeared since: every restart it counts happened
        // after that sample, within any window that reaches back to it. One already there when the evaluator first saw
        // the agent (or after a report that could not list every container) may have restarted long ago: its count is
        // only a base to count from.
        var appeared = new bool[targets.Length];
        var watched = _listedBefore.Contains(agentId);
        for (var i = 0; i < targets.Length; i++)
        {
            var container = sample.Containers[i];
            seen.Add(container.Name);
            var memo = _memos.TryGetValue(targets[i], out var known) ? known : _memos[targets[i]] = new ContainerMemo();
            appeared[i] = watched && memo.Last is null;
            memo.Last = container;
        }

        if (sample.Containers.Count > 0 && !sample.Host.EngineUnread)
        {
            _listedBefore.Add(agentId);
        }
        else
        {
            _listedBefore.Remove(agentId);
        }

        foreach (var rule in _rules)
        {
            if (!rule.MatchesAgent(agentId) || rule.Rule.Kind == AlertKinds.Absence)
            {
                continue;
            }

            var r = rule.Rule;
            if (r.Kind == AlertKinds.Metric && !AlertMetrics.IsContainer(r.Metric))
            {
                EvaluateHostMetric(rule, agentId, sample, at, late);
            }
            else if (r.Condition == AlertConditions.RunningBelow)
            {
                var running = sample.Containers.Count(c => c.Status == "running" && rule.MatchesContainer(c));
                var below = running < r.Count;
                StepTarget(rule, agentId, agentId, null, null, at, below, below, running, late,
                    () => $"{running} running containers{ScopeText(r)} on {agentId}, expected at least {r.Count}");
            }
            else
            {
                for (var i = 0; i < targets.Length; i++)
                {
                    if (rule.MatchesContainer(sample.Containers[i]))
                    {
                        EvaluateContainer(rule, slots[i], agentId, targets[i], sample.Containers[i], appeared[i], at, late);
                    }
                }

                if (r.Condition == AlertConditions.NotRunning && rule.NamesAgent(agentId) && sample.Containers.Count > 0)
                {
                    foreach (var name in rule.LiteralContainers.Where(n => !seen.Contains(n)))
                    {
                        StepTarget(rule, agentId, ContainerTarget(agentId, name), name, null, at, true, true, null, late,
                            () => $"container {name} on {agentId} is expected to run but does not exist");
                    }
                }
            }
        }

        // Containers no longer reported (removed): their alerts resolve, except an expected container's absence. A
        // report that names an engine it could not read, or has no container at all (an older agent's way to say its
        // one engine was away), concludes nothing about absent containers; removals still arrive as destroy events.
        if (sample.Containers.Count > 0 && !sample.Host.EngineUnread && _agentStates.TryGetValue(agentId, out var keys))
        {
            List<string>? gone = null;
            foreach (var key in keys)
            {
                var state = _states[key];
                if (state.Container is { } name && !seen.Contains(name) && !IsExpected(state, agentId))
                {
                    (gone ??= []).Add(name);
                }
            }

            foreach (var name in gone?.Distinct(StringComparer.Ordinal) ?? [])
            {
                Gone(agentId, name, at, late);
            }
        }
    }

    private bool IsExpected(TargetState state, string agentId) =>
        _rules.FirstOrDefault(r => r.Rule.Name == state.Rule) is { Rule.Condition: AlertConditions.NotRunning } rule
        && rule.NamesAgent(agentId) && rule.LiteralContainers.Contains(state.Container);

    private void Gone(string agentId, string containerName, DateTime at, bool late)
    {
        var target = ContainerTarget(agentId, containerName);
        _slots.Remove(target);
        _memos.Remove(target);
        if (!_agentStates.TryGetValue(agentId, out var keys))
        {
            return;
        }

        foreach (var key in keys.ToList())
        {
            var state = _states[key];
            if (state.Container != containerName || _rules.FirstOrDefault(r => r.Rule.Name == state.Rule) is not { } rule)
            {
                continue;
            }

            state.Failed = false;
            state.Restarts.Clear();
            Touch(state);
            Step(rule, state, at, false, false, state.Value, late, () => $"container {containerName} on {agentId} is no longer reported (removed)");
            // A removed container's history ends with it (flapping included): the row goes at the next store.
            state.Phase = TargetState.Ok;
            state.Changes.Clear();
            state.Flapping = false;
        }
    }

    private void EvaluateHostMetric(CompiledRule rule, string agentId, AgentSample sample, DateTime at, bool late)
    {
        var metric = rule.Rule.Metric!;
        if (metric == AlertMetrics.HostDiskPercent)
        {
            foreach (var disk in sample.Disks)
            {
                var target = $"{agentId}:{disk.MountPoint}";
                MetricStep(rule, SlotFor(target), agentId, target, null, disk.MountPoint, at, disk.UsedPercent, null, late);
            }

            return;
        }

        var h = sample.Host;
        double? value = metric switch
        {
            AlertMetrics.HostCpuPercent => h.CpuPercent,
            AlertMetrics.HostMemoryPercent => h.MemoryPercent,
            AlertMetrics.HostSwapPercent => h.SwapTotalMiB is > 0 && h.SwapUsedMiB is { } used ? 100.0 * used / h.SwapTotalMiB.Value : null,
            AlertMetrics.HostLoad1 => h.Load1,
            AlertMetrics.HostLoad5 => h.Load5,
            _ => h.Load15,
        };
        if (value is { } v)
        {
            MetricStep(rule, SlotFor(agentId), agentId, agentId, null, null, at, v, null, late);
        }
    }

    private void EvaluateContainer(CompiledRule rule, Slot slot, string agentId, string target, ContainerPoint c, bool appeared, DateTime at, bool late)
    {
        var r = rule.Rule;
        if (r.Kind == AlertKinds.Metric)
        {
            double? value = r.Metric switch
            {
                AlertMetrics.ContainerCpuPercent => c.CpuPercent,
                AlertMetrics.ContainerMemoryPercent => c.MemoryPercent,
                AlertMetrics.ContainerMemoryMiB => c.MemoryMiB,
                AlertMetrics.ContainerPids => c.Pids,
                _ => c.RestartCount,
            };
            if (value is { } v)
            {
                MetricStep(rule, slot, agentId, target, c.Name, null, at, v, c.Labels, late);
            }

            return;
        }

        // The summaries' closures live in the Step* helpers, so a container with nothing to step allocates nothing.
        switch (r.Condition)
        {
            case AlertConditions.ExitedNonZero or AlertConditions.OomKilled:
                if (slot.States[rule.Index] is { } failed)
                {
                    StepFailed(rule, failed, agentId, c, at, late);
                }

                break;
            case AlertConditions.Unhealthy:
                var unhealthy = c.Health == "unhealthy";
                if (unhealthy || slot.States[rule.Index] is not null)
                {
                    StepHealth(rule, agentId, target, c, at, unhealthy, late);
                }

                break;
            case AlertConditions.RestartLoop:
                EvaluateRestarts(rule, slot, agentId, target, c, appeared, at, late);
                break;
            case AlertConditions.NotRunning:
                var down = c.Status != "running";
                if (down || slot.States[rule.Index] is not null)
                {
                    StepRunning(rule, agentId, target, c, at, down, late);
                }

                break;
        }
    }

    private void StepFailed(CompiledRule rule, TargetState failed, string agentId, ContainerPoint c, DateTime at, bool late)
    {
        // Samples and events are stamped to the second on the wire: a sample of the die's own second may have been taken
        // before it, while the container still ran. Only a later one says it runs again (a restart also sends "start").
        if (failed.Failed && c.Status == "running" && !(failed.Since is { } since && at <= since))
        {
            failed.Failed = false;
            Touch(failed);
        }

        Step(rule, failed, at, failed.Failed, failed.Failed, failed.FailedCode, late,
            () => failed.Failed ? failed.Phase == TargetState.Firing ? "" : $"container {c.Name} on {agentId} failed" : $"container {c.Name} on {agentId} runs again");
    }

    private void StepHealth(CompiledRule rule, string agentId, string target, ContainerPoint c, DateTime at, bool unhealthy, bool late) =>
        StepTarget(rule, agentId, target, c.Name, null, at, unhealthy, unhealthy, null, late,
            () => unhealthy ? $"container {c.Name} on {agentId} is unhealthy" : $"container {c.Name} on {agentId} is {c.Health ?? "without a health check"}");

    private void StepRunning(CompiledRule rule, string agentId, string target, ContainerPoint c, DateTime at, bool down, bool late) =>
        StepTarget(rule, agentId, target, c.Name, null, at, down, down, null, late,
            () => down ? $"container {c.Name} on {agentId} is expected to run but is {c.Status}" : $"container {c.Name} on {agentId} runs");

    private void EvaluateRestarts(CompiledRule rule, Slot slot, string agentId, string target, ContainerPoint c, bool appeared, DateTime at, bool late)
    {
        if (c.RestartCount is not { } count)
        {
            return;
        }

        var r = rule.Rule;
        var state = slot.States[rule.Index] ?? Create(r, target, agentId, c.Name, null);
        // A container that appeared since the agent's previous sample counts from none: a crash loop that began between
        // two samples is told at the restart that makes the count, not one later.
        var before = state.LastRestartCount ?? (appeared ? 0 : null);
        if (before is { } last && count > last)
        {
            state.Restarts.Add(new RestartMark(at, count - last));
            Touch(state);
        }

        state.LastRestartCount = count;
        var horizon = at.AddSeconds(-(r.WithinSeconds ?? 600));
        if (state.Restarts.Count > 0 && state.Restarts.RemoveAll(m => m.At <= horizon) > 0)
        {
            Touch(state);
        }

        var recent = 0;
        foreach (var mark in state.Restarts)
        {
            recent += mark.Count;
        }

        var looping = recent >= r.Count;
        if (looping || state.Phase != TargetState.Ok || state.Flapping)
        {
            StepRestarts(rule, state, agentId, c, at, recent, looping, late);
        }
    }

    private void StepRestarts(CompiledRule rule, TargetState state, string agentId, ContainerPoint c, DateTime at, int recent, bool looping, bool late) =>
        Step(rule, state, at, looping, looping, recent, late,
            () => looping ? $"container {c.Name} on {agentId} restarted {recent} times within {Durations.Format(rule.Rule.WithinSeconds ?? 600)}"
                          : $"container {c.Name} on {agentId} stopped restarting");

    private void MetricStep(CompiledRule rule, Slot slot, string agentId, string target, string? container, string? mount, DateTime at, double sampleValue,
        IReadOnlyDictionary<string, string>? labels, bool late)
    {
        var r = rule.Rule;
        var value = Aggregate(rule, slot, at, sampleValue);
        var (threshold, clear) = rule.Limits(labels);
        var active = rule.Meets(value, threshold);
        if (!active && slot.States[rule.Index] is null)
        {
            return; // the common case: nothing to tell, nothing to remember
        }

        StepMetric(rule, agentId, target, container, mount, at, value, threshold, active, rule.Meets(value, clear), late);
    }

    // Apart from MetricStep so the summary's closure is allocated only when a state steps.
    private void StepMetric(CompiledRule rule, string agentId, string target, string? container, string? mount, DateTime at, double value,
        double threshold, bool active, bool holding, bool late)
    {
        var r = rule.Rule;
        StepTarget(rule, agentId, target, container, mount, at, active, holding, value, late, () =>
        {
            var what = mount is not null ? $"disk {mount} on {agentId}" : container is not null ? $"{r.Metric} of container {container} on {agentId}" : $"{r.Metric} on {agentId}";
            var window = r.WindowSeconds is > 0 ? $" ({r.Aggregate} over {Durations.Format(r.WindowSeconds.Value)})" : "";
            return $"{what} is {Format(value)}{window}, threshold {r.Op} {Format(threshold)}";
        });
    }

    private static double Aggregate(CompiledRule rule, Slot slot, DateTime at, double value)
    {
        if (rule.Rule.WindowSeconds is not > 0)
        {
            return value;
        }

        // One window per (metric, length, target), shared by the rules that read it; a rule with another length keeps its own.
        var window = slot.Windows[rule.WindowIndex] ??= new MetricWindow();
        window.Add(at, value, at.AddSeconds(-rule.Rule.WindowSeconds.Value));
        return rule.Aggregate switch
        {
            1 => window.Min,
            2 => window.Max,
            _ => window.Average,
        };
    }

    private void StepTarget(CompiledRule rule, string agentId, string target, string? container, string? mount, DateTime at,
        bool active, bool holding, double? value, bool late, Func<string> summary)
    {
        var state = Find(rule.Rule.Name, target);
        if (state is null)
        {
            if (!active)
            {
                return;
            }

            state = Create(rule.Rule, target, agentId, container, mount);
        }

        Step(rule, state, at, active, holding, value, late, summary);
    }

    // The state machine. active: the condition to start (threshold); holding: the condition to stay firing (clear).
    private void Step(CompiledRule rule, TargetState s, DateTime at, bool active, bool holding, double? value, bool late, Func<string> summary)
    {
        var r = rule.Rule;
        s.Value = value;
        switch (s.Phase)
        {
            case TargetState.Ok when active:
                s.Since = at;
                s.Peak = value;
                Touch(s);
                if (r.ForSeconds == 0)
                {
                    Fire(rule, s, at, late, summary);
                }
                else
                {
                    s.Phase = TargetState.Pending;
                }

                break;
            case TargetState.Pending when !active:
                s.Phase = TargetState.Ok;
                s.Since = null;
                Touch(s);
                break;
            case TargetState.Pending:
                s.Peak = Worse(rule, s.Peak, value);
                if ((at - s.Since!.Value).TotalSeconds >= r.ForSeconds)
                {
                    Fire(rule, s, at, late, summary);
                }

                break;
            case TargetState.Firing when !holding:
                Resolve(rule, s, at, late, summary);
                break;
            case TargetState.Firing:
                var peak = Worse(rule, s.Peak, value);
                if (peak != s.Peak)
                {
                    s.Peak = peak;
                    Touch(s);
                }

                if (r.RepeatSeconds > 0 && s.Announced && !s.Flapping && !late && s.LastNotifiedAt is { } told
                    && (at - told).TotalSeconds >= r.RepeatSeconds && !IsQuiet(s, at))
                {
                    s.LastNotifiedAt = at;
                    Touch(s);
                    Emit(OutcomeKinds.Repeat, rule, s, at, () => "still firing: " + summary(), notify: true, late);
                }

                break;
        }

        if (s.Flapping && s.Changes.Count > 0 && (at - s.Changes[^1]).TotalMinutes >= options.FlapSettleMinutes)
        {
            s.Flapping = false;
            s.Changes.Clear();
            Touch(s);
            var firing = s.Phase == TargetState.Firing;
            s.Announced = firing;
            s.LastNotifiedAt = at;
            Emit(OutcomeKinds.Settled, rule, s, at, () => $"stopped flapping; now {(firing ? "firing" : "resolved")}: {summary()}", notify: !late && !IsQuiet(s, at), late);
        }
    }

    private void Fire(CompiledRule rule, TargetState s, DateTime at, bool late, Func<string> summary)
    {
        s.Phase = TargetState.Firing;
        Touch(s);
        var flapsNow = Changed(s, at);
        var quiet = IsQuiet(s, at);
        var notify = !s.Flapping && !late && !quiet;
        s.Announced = notify || (late && !s.Flapping && !quiet);
        if (notify)
        {
            s.LastNotifiedAt = at;
        }

        Emit(OutcomeKinds.Fired, rule, s, at, summary, notify, late);
        if (flapsNow)
        {
            Emit(OutcomeKinds.Flapping, rule, s, at, () => $"flapping: {s.Changes.Count} changes within {options.FlapWindowMinutes} min; quiet until it settles. {summary()}",
                notify: !late && !quiet, late);
        }
    }

    private void Resolve(CompiledRule rule, TargetState s, DateTime at, bool late, Func<string> summary)
    {
        var announced = s.Announced;
        s.Phase = TargetState.Ok;
        Touch(s);
        var flapsNow = Changed(s, at);
        var notify = announced && !s.Flapping && !late && !IsSilenced(s, at);
        Emit(OutcomeKinds.Resolved, rule, s, at, summary, notify, late && announced);
        s.Since = null;
        s.Announced = false;
        s.Peak = null;
        if (flapsNow)
        {
            Emit(OutcomeKinds.Flapping, rule, s, at, () => $"flapping: {s.Changes.Count} changes within {options.FlapWindowMinutes} min; quiet until it settles. {summary()}",
                notify: !late && !IsQuiet(s, at), late);
        }
    }

    // Records an ok/firing change; true when it makes the target flapping.
    private bool Changed(TargetState s, DateTime at)
    {
        var horizon = at.AddMinutes(-options.FlapWindowMinutes);
        s.Changes.RemoveAll(t => t <= horizon);
        s.Changes.Add(at);
        if (s.Flapping || s.Changes.Count < options.FlapThreshold)
        {
            return false;
        }

        s.Flapping = true;
        return true;
    }

    private void Emit(string kind, CompiledRule rule, TargetState s, DateTime at, Func<string> summary, bool notify, bool late)
    {
        var text = summary();
        var outcome = new AlertOutcome(kind, rule.Rule, s, at, text.Length > 0 ? text : $"{rule.Rule.Name} {s.Target}")
        {
            Since = s.Since,
            Value = s.Value,
            Peak = s.Peak,
            Notify = notify,
            Backfilled = late,
        };
        _out.Add(outcome);
        if (late && kind is OutcomeKinds.Fired or OutcomeKinds.Resolved && !IsQuiet(s, at))
        {
            if (!_backfills.TryGetValue(s.AgentId, out var batch))
            {
                _backfills[s.AgentId] = batch = new Backfill(_now, at);
            }

            batch.Items.Add(outcome);
            batch.To = at;
        }
    }

    private void EndBackfill(string agentId)
    {
        if (_backfills.TryGetValue(agentId, out var batch))
        {
            batch.Done = true;
        }
    }

    // Quiet: silenced (maintenance, acknowledgement), or a container of an agent that is itself silent.
    private bool IsQuiet(TargetState s, DateTime at) =>
        IsSilenced(s, at) || (s.Container is not null && _rules.Any(r => r.Rule.Kind == AlertKinds.Absence
            && Find(r.Rule.Name, s.AgentId) is { Phase: TargetState.Firing }));

    private bool IsSilenced(TargetState s, DateTime at) => _silences.Any(x =>
        x.Silence.StartsAt <= at && at < x.Silence.EndsAt && x.Agent.Matches(s.AgentId) && x.Rule.Matches(s.Rule)
        && (x.Container.Pattern == "*" || x.Container.Matches(s.Container)));

    private static double? Worse(CompiledRule rule, double? a, double? b) =>
        a is null ? b : b is null ? a : rule.HigherIsWorse ? Math.Max(a.Value, b.Value) : Math.Min(a.Value, b.Value);

    private TargetState? Find(string rule, string target) => _states.GetValueOrDefault(Key(rule, target));

    private TargetState Create(AlertRule rule, string target, string agentId, string? container, string? mount)
    {
        var state = new TargetState { Rule = rule.Name, Target = target, AgentId = agentId, Container = container, MountPoint = mount };
        Track(Key(rule.Name, target), state);
        return state;
    }

    private void Track((string Rule, string Target) key, TargetState state)
    {
        _states[key] = state;
        if (_slots.TryGetValue(key.Target, out var slot) && _ruleIndex.TryGetValue(key.Rule, out var index))
        {
            slot.States[index] = state;
        }

        if (!_agentStates.TryGetValue(state.AgentId, out var keys))
        {
            _agentStates[state.AgentId] = keys = [];
        }

        keys.Add(key);
    }

    private void Touch(TargetState state)
    {
        if (!state.Dirty)
        {
            state.Dirty = true;
            _dirty.Add(state);
        }
    }

    private void Forget((string Rule, string Target) key)
    {
        if (_slots.TryGetValue(key.Target, out var slot) && _ruleIndex.TryGetValue(key.Rule, out var index))
        {
            slot.States[index] = null;
        }

        if (_states.Remove(key, out var state) && _agentStates.TryGetValue(state.AgentId, out var keys))
        {
            keys.Remove(key);
        }
    }

    internal static (string Rule, string Target) Key(string rule, string target) => (rule, target);

    internal static string ContainerTarget(string agentId, string container) => agentId + "/" + container;

    private static string ScopeText(AlertRule r) => r.Scope.Containers.Count > 0 ? $" matching {string.Join(", ", r.Scope.Containers)}" : "";

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private Slot SlotFor(string target)
    {
        if (!_slots.TryGetValue(target, out var slot))
        {
            _slots[target] = slot = new Slot(_rules.Count, _windowCount);
            foreach (var rule in _rules)
            {
                slot.States[rule.Index] = _states.GetValueOrDefault((rule.Rule.Name, target));
            }
        }

        return slot;
    }

    private sealed class Slot(int rules, int windows)
    {
        public MetricWindow?[] Windows { get; } = new MetricWindow?[windows];
        public TargetState?[] States { get; } = new TargetState?[rules];
    }

    /// <summary>The samples of one window, with a running sum so the average costs nothing per sample.</summary>
    private sealed class MetricWindow
    {
        private readonly Queue<(DateTime At, double Value)> _points = new();
        private double _sum;
        private DateTime _lastAt;

        public double Average => _sum / _points.Count;
        public double Min
        {
            get
            {
                var min = double.MaxValue;
                foreach (var (_, value) in _points)
                {
                    min = Math.Min(min, value);
                }

                return min;
            }
        }

        public double Max
        {
            get
            {
                var max = double.MinValue;
                foreach (var (_, value) in _points)
                {
                    max = Math.Max(max, value);
                }

                return max;
            }
        }

        public void Add(DateTime at, double value, DateTime horizon)
        {
            // A shared window: the sample is in it already when another rule on it saw this sample first.
            if (at == _lastAt && _points.Count > 0)
            {
                return;
            }

            _lastAt = at;
            _points.Enqueue((at, value));
            _sum += value;
            while (_points.Count > 1 && _points.Peek().At <= horizon)
            {
                _sum -= _points.Dequeue().Value;
            }
        }
    }

    private sealed class ContainerMemo
    {
        public bool StopRequested { get; set; }
        public bool Oom { get; set; }
        public ContainerPoint? Last { get; set; }
    }

    private sealed class Backfill(DateTime openedAt, DateTime from)
    {
        public DateTime OpenedAt { get; } = openedAt;
        public DateTime From { get; } = from;
        public DateTime To { get; set; } = from;
        public bool Done { get; set; }
        public List<AlertOutcome> Items { get; } = [];
    }
}
