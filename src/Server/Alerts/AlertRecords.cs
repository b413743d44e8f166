namespace StackScope.Server.Alerts;

/// <summary>One incident: a firing of a (rule, target), open until resolved.</summary>
internal sealed record IncidentRecord(long Id, string Rule, string Target, string AgentId, string? ContainerName, string Severity, string Summary,
    DateTime StartedAt, DateTime? ResolvedAt, double? Value, double? Peak, bool Backfilled, bool Flapping, string? AckedBy, DateTime? AckedUntil);

/// <summary>A channel's delivery state, for the alerts page.</summary>
internal sealed record ChannelStatus(string Channel, int Pending, int FailedAttempts, string? LastError, DateTime? LastSentAt, DateTime? NextAttemptAt,
    int Parked = 0, string? ParkedError = null);

/// <summary>One notice waiting in the outbox.</summary>
internal sealed record OutboxItem(long Id, string Channel, string Notice, int Attempts, DateTime NextAttemptAt);

/// <summary>An agent with new reports since the evaluator last looked.</summary>
internal sealed record AgentNews(string AgentId, DateTime NewestSample, DateTime LastReceivedAt);
