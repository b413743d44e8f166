namespace StackScope.Contracts;

/// <summary>The container lifecycle actions a report may carry, named as Docker's event stream names them.</summary>
public static class ContainerActions
{
    public const string Create = "create";
    public const string Start = "start";
    public const string Die = "die";
    public const string Oom = "oom";
    public const string Kill = "kill";
    public const string Restart = "restart";
    public const string HealthStatus = "health_status";
    public const string Pause = "pause";
    public const string Unpause = "unpause";
    public const string Destroy = "destroy";

    public static readonly IReadOnlyList<string> All = [Create, Start, Die, Oom, Kill, Restart, HealthStatus, Pause, Unpause, Destroy];

    public static bool IsKnown(string? action) => action is not null && All.Contains(action);

    public const string SourceEngine = "engine";
    public const string SourceReconciled = "reconciled";
}
