using StackScope.Contracts;

namespace StackScope.Agent;

/// <summary>Every problem with the settings, each naming its key, so the agent stops at start rather than later.</summary>
internal static class AgentOptionsValidator
{
    /// <summary>A few reports' worth; below that the spool could not hold even one report of a large host.</summary>
    public const long MinSpoolBytes = 16 * 1024;

    public static IReadOnlyList<string> Validate(AgentOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.ServerUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Agent:ServerUrl must be an absolute http:// or https:// URL, got '{options.ServerUrl}'");
        }

        if (!AgentIds.IsValid(options.AgentId))
        {
            errors.Add($"Agent:AgentId must be 1-{AgentIds.MaxLength} characters of [A-Za-z0-9._-], got '{options.AgentId}'");
        }

        if (options.NodeName.Length is 0 or > 255 || options.NodeName.Any(char.IsControl))
        {
            errors.Add($"Agent:NodeName must be 1-255 characters without control characters, got '{options.NodeName}'");
        }

        if (options.IntervalSeconds is < 1 or > 3600)
        {
            errors.Add($"Agent:IntervalSeconds must be 1-3600, got {options.IntervalSeconds}");
        }

        if (options.CollectorTimeoutSeconds is < 1 or > 60)
        {
            errors.Add($"Agent:CollectorTimeoutSeconds must be 1-60, got {options.CollectorTimeoutSeconds}");
        }

        if (options.MetricsListen.Length > 0 &&
            !(System.Net.IPEndPoint.TryParse(options.MetricsListen, out var listen) && System.Net.IPAddress.IsLoopback(listen.Address) && listen.Port > 0))
        {
            errors.Add($"Agent:MetricsListen must be a loopback address and port (127.0.0.1:9101, [::1]:9101), or empty, got '{options.MetricsListen}'");
        }

        for (var i = 0; i < options.Engines.Count; i++)
        {
            var engine = options.Engines[i];
            if (!EngineTypes.IsKnown(engine.Type.Trim().ToLowerInvariant()))
            {
                errors.Add($"Agent:Engines:{i}:Type must be one of {string.Join(", ", EngineTypes.Known)}, got '{engine.Type}'");
            }

            if (Engines.Cri.CriDialect.For(engine.Type.Trim().ToLowerInvariant()) is not null)
            {
                if (engine.Host.Length > 0 && !engine.Host.StartsWith("unix://", StringComparison.Ordinal))
                {
                    errors.Add($"Agent:Engines:{i}:Host of a CRI runtime must start with unix:// (kubelet's socket), got '{engine.Host}'");
                }
            }
            else if (engine.Host.Length > 0 && !engine.Host.StartsWith("unix://", StringComparison.Ordinal) && !engine.Host.StartsWith("tcp://", StringComparison.Ordinal))
            {
                errors.Add($"Agent:Engines:{i}:Host must start with unix:// or tcp://, got '{engine.Host}'");
            }
        }

        var hosts = options.ResolveEngines(_ => false).GroupBy(e => e.Host, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (hosts.Count > 0)
        {
            errors.Add($"Agent:Engines names {hosts[0]} more than once");
        }

        if (!options.DockerHost.StartsWith("unix://", StringComparison.Ordinal) && !options.DockerHost.StartsWith("tcp://", StringComparison.Ordinal))
        {
            errors.Add($"Agent:DockerHost must start with unix:// or tcp://, got '{options.DockerHost}'");
        }

        if (string.IsNullOrWhiteSpace(options.SpoolPath))
        {
            errors.Add("Agent:SpoolPath must not be empty");
        }

        if (options.SpoolMaxBytes < MinSpoolBytes)
        {
            errors.Add($"Agent:SpoolMaxBytes must be at least {MinSpoolBytes}, got {options.SpoolMaxBytes}");
        }

        if (options.Token.Length > 0 && options.TokenFile.Length > 0)
        {
            errors.Add("Agent:Token and Agent:TokenFile are both set; set one");
        }
        else if (options.TokenFile.Length > 0 && !File.Exists(options.TokenFile))
        {
            errors.Add($"Agent:TokenFile '{options.TokenFile}' does not exist");
        }

        if (options.CaFile.Length > 0 && !File.Exists(options.CaFile))
        {
            errors.Add($"Agent:CaFile '{options.CaFile}' does not exist");
        }

        if (options.SpoolMaxAgeHours < 1)
        {
            errors.Add($"Agent:SpoolMaxAgeHours must be at least 1, got {options.SpoolMaxAgeHours}");
        }

        if (!File.Exists(Path.Combine(options.ProcRoot, "stat")) || !File.Exists(Path.Combine(options.ProcRoot, "meminfo")))
        {
            errors.Add($"Agent:ProcRoot '{options.ProcRoot}' has no stat and meminfo");
        }

        if (options.RequestTimeoutSeconds is < 1 or > 300)
        {
            errors.Add($"Agent:RequestTimeoutSeconds must be 1-300, got {options.RequestTimeoutSeconds}");
        }

        return errors;
    }
}
