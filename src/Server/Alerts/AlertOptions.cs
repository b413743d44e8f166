namespace StackScope.Server.Alerts;

/// <summary>Settings under "Alerts"; channels under Alerts:Channels:&lt;name&gt; are read by <see cref="Channels.ChannelCatalog"/>.</summary>
internal sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Off only for servers that must never evaluate or send (e.g. a read-only replica's front end).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the lease holder looks for new reports and due notices, seconds.</summary>
    public double EvaluateIntervalSeconds { get; set; } = 1;

    /// <summary>A lease not renewed for this long passes to another server process.</summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>A sample stored this long after it was taken is a backfill (an agent's spool after an outage).</summary>
    public int BackfillAfterSeconds { get; set; } = 60;

    public int FlapWindowMinutes { get; set; } = 30;

    /// <summary>Changes of state within the flap window that make a target flapping.</summary>
    public int FlapThreshold { get; set; } = 4;

    /// <summary>A flapping target settles after this long without a change; one notice then tells its state.</summary>
    public double FlapSettleMinutes { get; set; } = 10;

    /// <summary>A YAML rules file; when set it is the source of truth (the API and dashboard show its rules, read-only).</summary>
    public string RulesFile { get; set; } = "";

    public int SendTimeoutSeconds { get; set; } = 10;

    /// <summary>The longest wait between two attempts at a failing channel.</summary>
    public int MaxBackoffSeconds { get; set; } = 60;

    /// <summary>The dashboard's address as operators reach it, for links in notices (optional).</summary>
    public string ExternalUrl { get; set; } = "";

    public string? Problem() =>
        EvaluateIntervalSeconds is < 0.1 or > 60 ? "Alerts:EvaluateIntervalSeconds must be 0.1-60"
        : LeaseSeconds is < 3 or > 600 ? "Alerts:LeaseSeconds must be 3-600"
        : BackfillAfterSeconds < 1 ? "Alerts:BackfillAfterSeconds must be positive"
        : FlapWindowMinutes < 1 || FlapThreshold < 2 || FlapSettleMinutes <= 0 ? "Alerts: FlapWindowMinutes and FlapSettleMinutes must be positive, FlapThreshold at least 2"
        : SendTimeoutSeconds < 1 || MaxBackoffSeconds < 1 ? "Alerts: SendTimeoutSeconds and MaxBackoffSeconds must be positive"
        : null;
}
