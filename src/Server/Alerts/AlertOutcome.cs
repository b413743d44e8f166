namespace StackScope.Server.Alerts;

internal static class OutcomeKinds
{
    public const string Fired = "fired";
    public const string Resolved = "resolved";
    public const string Repeat = "repeat";
    public const string Flapping = "flapping";
    public const string Settled = "settled";
}

/// <summary>
/// One change of a (rule, target) for the store to record (incident rows) and, when <see cref="Notify"/>, to tell the
/// rule's channels. Values are those of the change's instant; <see cref="State"/> is the live machine.
/// </summary>
internal sealed record AlertOutcome(string Kind, AlertRule Rule, TargetState State, DateTime At, string Summary)
{
    public DateTime? Since { get; init; }
    public double? Value { get; init; }
    public double? Peak { get; init; }
    public bool Notify { get; init; }

    /// <summary>Caused by a sample or event that reached the server late (an agent's spool after an outage).</summary>
    public bool Backfilled { get; init; }
}

/// <summary>What happened while an agent's reports arrived late, told once when it has caught up.</summary>
internal sealed record BackfillSummary(string AgentId, DateTime From, DateTime To, IReadOnlyList<AlertOutcome> Items, IReadOnlyList<string> Channels);

/// <summary>A maintenance window or an acknowledgement: matching targets stay quiet from <see cref="StartsAt"/> until <see cref="EndsAt"/>.</summary>
internal sealed record AlertSilence(long Id, string AgentGlob, string ContainerGlob, string RuleGlob, DateTime StartsAt, DateTime EndsAt, string Reason, string CreatedBy);

/// <summary>When an agent was last heard from, for absence rules.</summary>
internal sealed record AgentClock(string AgentId, DateTime LastReceivedAt, DateTime LastSampleAt, int IntervalSeconds);
