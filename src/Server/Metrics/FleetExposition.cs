using System.Globalization;
using System.Text;
using StackScope.Server.Storage;

namespace StackScope.Server.Metrics;

/// <summary>
/// The fleet's latest figures in the Prometheus text format, one sample per series with the time the agent took it.
/// Names follow cAdvisor and node_exporter where the meaning is the same (so existing rules and dashboards work), the
/// rest are <c>stackscope_</c>; base units. Only agents that are up show figures: a container no longer reported, or
/// one of a silent agent, drops out of the exposition. Hand-written rather than through prometheus-net: that library
/// keeps live metric objects and has no per-sample timestamps, while these series are a snapshot of stored rows.
/// </summary>
internal static class FleetExposition
{
    private const double MiB = 1024 * 1024;

    public sealed record Fleet(IReadOnlyList<AgentSnapshot> Agents, IReadOnlyList<ContainerRow> Containers, ILookup<string, FileSystemRow> FileSystems);

    // At least a minute: a scrape every 15-60 s must not see an agent of a 1 s interval flicker down between reports.
    private const double UpFloorSeconds = 60;

    public static void Write(StringBuilder text, Fleet fleet, DateTime now, int maxContainersPerAgent = int.MaxValue)
    {
        var up = fleet.Agents.Where(a => Query.AgentPresence.IsOnline(a.Recent, now, UpFloorSeconds)).ToDictionary(a => a.AgentId, StringComparer.Ordinal);
        var families = new Families(text);

        families.Gauge("stackscope_agent_up", "1 while the agent reports within three of its intervals (at least a minute), else 0.",
            fleet.Agents.Select(a => (Labels(("agent", a.AgentId)), up.ContainsKey(a.AgentId) ? 1.0 : 0.0, (DateTime?)null)));
        families.Gauge("stackscope_agent_last_report_timestamp_seconds", "Sample time of the agent's last stored report (Unix seconds).",
            fleet.Agents.Where(a => a.Recent.Count > 0).Select(a => (Labels(("agent", a.AgentId)), Seconds(a.Recent[0].SampledAt), (DateTime?)null)));

        var hosts = up.Values.Select(a => (a.AgentId, Host: a.Recent[0])).ToList();
        families.Gauge("node_memory_MemTotal_bytes", "Host memory (node_exporter's name), bytes.",
            hosts.Select(h => (Labels(("agent", h.AgentId)), h.Host.MemoryTotalMiB * MiB, (DateTime?)h.Host.SampledAt)));
        families.Gauge("node_memory_MemAvailable_bytes", "Host memory available (total less used), bytes.",
            hosts.Select(h => (Labels(("agent", h.AgentId)), (h.Host.MemoryTotalMiB - h.Host.MemoryUsedMiB) * MiB, (DateTime?)h.Host.SampledAt)));
        families.Gauge("node_load1", "1-minute load average.", Optional(hosts, h => h.Host.Load1));
        families.Gauge("node_load5", "5-minute load average.", Optional(hosts, h => h.Host.Load5));
        families.Gauge("node_load15", "15-minute load average.", Optional(hosts, h => h.Host.Load15));
        families.Gauge("stackscope_host_cpu_percent", "Busy share of all the host's CPUs since the previous sample, 0-100.",
            hosts.Select(h => (Labels(("agent", h.AgentId)), h.Host.CpuPercent, (DateTime?)h.Host.SampledAt)));
        families.Gauge("stackscope_host_cpus", "Online CPUs of the host.",
            hosts.Select(h => (Labels(("agent", h.AgentId)), (double)h.Host.CpuCount, (DateTime?)h.Host.SampledAt)));

        var disks = hosts.SelectMany(h => fleet.FileSystems[h.AgentId].Select(f => (h.AgentId, h.Host.SampledAt, Disk: f))).ToList();
        families.Gauge("node_filesystem_size_bytes", "File system size, bytes.", disks.Select(d =>
            (Labels(("agent", d.AgentId), ("mountpoint", d.Disk.MountPoint), ("fstype", d.Disk.FsType)), (double)d.Disk.TotalBytes, (DateTime?)d.SampledAt)));
        families.Gauge("node_filesystem_free_bytes", "File system free space (size less used), bytes.", disks.Select(d =>
            (Labels(("agent", d.AgentId), ("mountpoint", d.Disk.MountPoint), ("fstype", d.Disk.FsType)), (double)(d.Disk.TotalBytes - d.Disk.UsedBytes), (DateTime?)d.SampledAt)));

        var (containers, omitted) = ExposedContainers(fleet.Containers.Where(c => up.ContainsKey(c.AgentId)), maxContainersPerAgent);
        families.Gauge("stackscope_agent_containers_omitted", "Containers of the agent left out of this exposition (past Metrics:MaxContainersPerAgent).",
            omitted.Select(o => (Labels(("agent", o.Key)), (double)o.Value, (DateTime?)null)));
        families.Counter("container_cpu_usage_seconds_total", "Cumulative CPU time of the container (cAdvisor's name), seconds.",
            Optional(containers, c => c.Row.CpuUsageNanos / 1e9));
        families.Gauge("container_memory_working_set_bytes", "Memory usage less inactive file cache (the docker stats figure), bytes.",
            containers.Select(c => (c.Labels, c.Row.MemoryUsageMiB * MiB, (DateTime?)c.Row.SampledAt)));
        families.Gauge("container_spec_memory_limit_bytes", "The container's memory limit (the host's memory when unlimited), bytes.",
            Optional(containers, c => c.Row.MemoryLimitBytes));
        families.Counter("container_network_receive_bytes_total", "Bytes received on the container's interfaces.", Optional(containers, c => c.Row.NetRxBytes));
        families.Counter("container_network_transmit_bytes_total", "Bytes sent on the container's interfaces.", Optional(containers, c => c.Row.NetTxBytes));
        families.Counter("container_fs_reads_bytes_total", "Bytes read from block devices by the container.", Optional(containers, c => c.Row.BlockReadBytes));
        families.Counter("container_fs_writes_bytes_total", "Bytes written to block devices by the container.", Optional(containers, c => c.Row.BlockWriteBytes));
        families.Gauge("container_last_seen", "When the container was last reported (Unix seconds).",
            containers.Select(c => (c.Labels, Seconds(c.Row.SampledAt), (DateTime?)c.Row.SampledAt)));
        families.Gauge("stackscope_container_cpu_percent", "CPU as docker stats shows it: percent of one CPU, may exceed 100.",
            containers.Select(c => (c.Labels, c.Row.CpuPercent, (DateTime?)c.Row.SampledAt)));
        families.Gauge("stackscope_container_memory_percent", "Memory as docker stats shows it: percent of the limit, else of the host.",
            containers.Select(c => (c.Labels, c.Row.MemoryPercent, (DateTime?)c.Row.SampledAt)));
        families.Gauge("stackscope_container_pids", "Processes and threads in the container.", Optional(containers, c => c.Row.Pids));
        families.Gauge("stackscope_container_state", "1 for the container's current state (created, running, paused, restarting, removing, exited, dead).",
            containers.Select(c => (c.Labels + "," + Labels(("state", c.Row.Status)), 1.0, (DateTime?)c.Row.SampledAt)));
        families.Counter("stackscope_container_restarts_total", "Restarts by the engine's restart policy since the container was created.",
            Optional(containers, c => c.Row.RestartCount));
        families.Gauge("stackscope_container_oom_killed", "1 when the container's last run was ended by the OOM killer.",
            Optional(containers, c => c.Row.OomKilled is { } oom ? (oom ? 1 : 0) : (double?)null));
        families.Gauge("stackscope_container_info", "Everything else about the container, as labels; the value is 1.",
            containers.Select(c => (c.Labels + "," + (c.Labels.Contains(",node=\"", StringComparison.Ordinal)
                    ? Labels(("engine", c.Row.EngineType), ("health", c.Row.Health ?? ""))
                    : Labels(("engine", c.Row.EngineType), ("node", c.Row.NodeName), ("health", c.Row.Health ?? ""))), 1.0,
                (DateTime?)c.Row.SampledAt)));
    }

    private static IEnumerable<(string Labels, double Value, DateTime? At)> Optional(IEnumerable<(string AgentId, HostRow Host)> hosts,
        Func<(string AgentId, HostRow Host), double?> value) =>
        hosts.Select(h => (h, v: value(h))).Where(x => x.v is not null)
            .Select(x => (Labels(("agent", x.h.AgentId)), x.v!.Value, (DateTime?)x.h.Host.SampledAt));

    private static IEnumerable<(string Labels, double Value, DateTime? At)> Optional(IEnumerable<(ContainerRow Row, string Labels)> containers,
        Func<(ContainerRow Row, string Labels), double?> value) =>
        containers.Select(c => (c, v: value(c))).Where(x => x.v is not null).Select(x => (x.c.Labels, x.v!.Value, (DateTime?)x.c.Row.SampledAt));

    // At most maxPerAgent containers of each agent, running ones first, so one agent's huge report cannot make every
    // scrape huge; and label sets made unique: one agent may report the same name on two nodes (engines) without ids,
    // and a series must appear once, so those carry their node as well.
    private static (List<(ContainerRow Row, string Labels)> Exposed, Dictionary<string, int> Omitted) ExposedContainers(
        IEnumerable<ContainerRow> rows, int maxPerAgent)
    {
        var omitted = new Dictionary<string, int>(StringComparer.Ordinal);
        var kept = new List<ContainerRow>();
        foreach (var agent in rows.GroupBy(c => c.AgentId, StringComparer.Ordinal))
        {
            var all = agent.OrderBy(c => c.Status == "running" ? 0 : 1).ThenBy(c => c.ContainerName, StringComparer.Ordinal)
                .ThenBy(c => c.NodeName, StringComparer.Ordinal).ToList();
            kept.AddRange(all.Take(maxPerAgent));
            if (all.Count > maxPerAgent)
            {
                omitted[agent.Key] = all.Count - maxPerAgent;
            }
        }

        var labelled = kept.Select(c => (Row: c, Labels: ContainerLabels(c))).ToList();
        var twice = labelled.GroupBy(c => c.Labels, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return (labelled.Select(c => twice.Contains(c.Labels) ? (c.Row, c.Labels + "," + Labels(("node", c.Row.NodeName))) : c).ToList(), omitted);
    }

    // Few labels, as the issue asks: agent, container name, image and a short id; the rest on stackscope_container_info.
    private static string ContainerLabels(ContainerRow c) => Labels(("agent", c.AgentId), ("name", c.ContainerName), ("image", c.Image ?? ""),
        ("id", c.ContainerId is { Length: >= 12 } id ? id[..12] : c.ContainerId ?? ""));

    private static double Seconds(DateTime utc) => (utc - DateTime.UnixEpoch).TotalSeconds;

    /// <summary>A label set without braces ("a=\"x\",b=\"y\""), values escaped as the format asks.</summary>
    internal static string Labels(params (string Name, string Value)[] labels) =>
        string.Join(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\""));

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Families(StringBuilder text)
    {
        public void Gauge(string name, string help, IEnumerable<(string Labels, double Value, DateTime? At)> samples) => Family(name, "gauge", help, samples);

        public void Counter(string name, string help, IEnumerable<(string Labels, double Value, DateTime? At)> samples) => Family(name, "counter", help, samples);

        private void Family(string name, string type, string help, IEnumerable<(string Labels, double Value, DateTime? At)> samples)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value, at) in samples)
            {
                text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture));
                if (at is { } time)
                {
                    text.Append(' ').Append(((long)(time - DateTime.UnixEpoch).TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                }

                text.Append('\n');
            }
        }
    }
}
