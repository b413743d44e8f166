using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts;

/// <summary>
/// The state machine of one (rule, target): ok, pending (the condition holds, waiting for the rule's duration) or
/// firing, with what flap detection, repeats and the resolved notice need. Kept in <c>alert_state</c> as JSON so a
/// server that takes over the lease carries on where the last one stopped.
/// </summary>
internal sealed class TargetState
{
    public const string Ok = "ok";
    public const string Pending = "pending";
    public const string Firing = "firing";

    [JsonPropertyName("rule")]
    public string Rule { get; set; } = "";

    [JsonPropertyName("target")]
    public string Target { get; set; } = "";

    [JsonPropertyName("agent")]
    public string AgentId { get; set; } = "";

    [JsonPropertyName("container")]
    public string? Container { get; set; }

    [JsonPropertyName("mount")]
    public string? MountPoint { get; set; }

    [JsonPropertyName("phase")]
    public string Phase { get; set; } = Ok;

    /// <summary>When the condition began to hold (pending or firing).</summary>
    [JsonPropertyName("since")]
    public DateTime? Since { get; set; }

    [JsonPropertyName("value")]
    public double? Value { get; set; }

    [JsonPropertyName("peak")]
    public double? Peak { get; set; }

    [JsonPropertyName("incident")]
    public long? IncidentId { get; set; }

    /// <summary>Sample times of the recent ok/firing changes, for flap detection.</summary>
    [JsonPropertyName("changes")]
    public List<DateTime> Changes { get; set; } = [];

    [JsonPropertyName("flapping")]
    public bool Flapping { get; set; }

    [JsonPropertyName("notified")]
    public DateTime? LastNotifiedAt { get; set; }

    /// <summary>exited_nonzero / oom_killed: the event that set the condition, until the container runs again.</summary>
    [JsonPropertyName("failed")]
    public bool Failed { get; set; }

    [JsonPropertyName("failed_code")]
    public int? FailedCode { get; set; }

    /// <summary>restart_loop: the restart counter last seen and the restarts counted in the window (time, how many).</summary>
    [JsonPropertyName("restart_count")]
    public int? LastRestartCount { get; set; }

    [JsonPropertyName("restarts")]
    public List<RestartMark> Restarts { get; set; } = [];

    /// <summary>Whether the firing was told (a notice or a backfill summary): only then is its resolution told.</summary>
    [JsonPropertyName("announced")]
    public bool Announced { get; set; }

    /// <summary>True when nothing needs remembering: the row can go (a restart counter's baseline is read again).</summary>
    [JsonIgnore]
    public bool IsIdle => Phase == Ok && !Flapping && !Failed && Changes.Count == 0 && Restarts.Count == 0;

    [JsonIgnore]
    public bool Dirty { get; set; }
}

internal sealed record RestartMark([property: JsonPropertyName("at")] DateTime At, [property: JsonPropertyName("n")] int Count);
