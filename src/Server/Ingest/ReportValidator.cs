using System.Globalization;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Ingest;

/// <summary>
/// The rules a well-typed report must meet before it is stored. Each rejection names the field, the rule
/// and the value, so an operator can fix the agent from the message alone.
/// </summary>
internal sealed class ReportValidator(IOptions<IngestOptions> options, TimeProvider clock)
{
    public const int MaxCpuCount = 65_536;
    private const int MaxNameLength = ReportLimits.MaxNameLength;
    private const int MaxStatusLength = ReportLimits.MaxStatusLength;
    private const int MaxEngines = 8;

    // engine_types: the engines of a report from an agent that watches several; unread_engines: those it could not read.
    // Null for a report of one engine (nearly all of them): nothing to look up, so no set made per report.
    private static HashSet<string>? Engines(MonitorReport report)
    {
        if (report.EngineTypes is null && report.UnreadEngines is null)
        {
            return null;
        }

        var engines = new HashSet<string>(StringComparer.Ordinal);
        if (report.EngineTypes is { } types)
        {
            if (types.Count is 0 or > MaxEngines || types[0] != report.EngineType)
            {
                throw Invalid($"engine_types: 1-{MaxEngines} engines, the report's engine_type '{ReportReader.Truncate(report.EngineType)}' first");
            }

            foreach (var type in types)
            {
                if (!EngineTypes.IsWellFormed(type))
                {
                    throw Invalid($"engine_types: each 1-{EngineTypes.MaxLength} characters of [a-z0-9._-], got '{ReportReader.Truncate(type)}'");
                }

                engines.Add(type);
            }
        }

        engines.Add(report.EngineType);
        if (report.UnreadEngines is { } unread)
        {
            if (unread.Count > MaxEngines || unread.Any(u => !engines.Contains(u)) || unread.Distinct(StringComparer.Ordinal).Count() != unread.Count)
            {
                throw Invalid($"unread_engines: each of the report's engines at most once ({string.Join(", ", engines)}), got '{ReportReader.Truncate(string.Join(",", unread))}'");
            }
        }

        return engines;
    }

    // The (node, container) pairs of the report being checked, one set per thread and cleared for each report (checking
    // holds no await): a set made per report was a tenth of ingest's allocations with the engines' set above.
    [ThreadStatic]
    private static HashSet<(string, string)>? _seenContainers;

    // Older than any agent could have spooled; also keeps DATETIME columns clear of their edge values.
    private static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public void Validate(MonitorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var limits = options.Value;

        // An engine this server does not know yet is stored as it is (EngineTypes.IsWellFormed says why).
        if (!EngineTypes.IsWellFormed(report.EngineType))
        {
            throw Invalid($"engine_type: 1-{EngineTypes.MaxLength} characters of [a-z0-9._-], got '{ReportReader.Truncate(report.EngineType)}'");
        }

        if (!AgentIds.IsValid(report.AgentId))
        {
            throw Invalid($"agent_id: must be 1-{AgentIds.MaxLength} characters of [A-Za-z0-9._-], got '{ReportReader.Truncate(report.AgentId)}'");
        }

        if (report.CpuCount is < 1 or > MaxCpuCount)
        {
            throw Invalid($"ser_cpu_count: must be 1-{MaxCpuCount}, got {report.CpuCount}");
        }

        var maxCpuPercent = 100.0 * report.CpuCount;
        CheckRange("ser_cpu_percent", report.CpuPercent, maxCpuPercent, "100 x ser_cpu_count");
        if (report.MemoryTotalMiB <= 0)
        {
            throw Invalid($"ser_memory_total: must be greater than 0, got {Format(report.MemoryTotalMiB)}");
        }

        CheckRange("ser_memory_used", report.MemoryUsedMiB, report.MemoryTotalMiB, "ser_memory_total");
        CheckRange("ser_memory_percent", report.MemoryPercent, 100, "100");
        CheckTime("ser_get_datetime", report.SampledAt);
        CheckOptional("ser_load_1", report.Load1);
        CheckOptional("ser_load_5", report.Load5);
        CheckOptional("ser_load_15", report.Load15);
        CheckOptional("ser_uptime_seconds", report.UptimeSeconds);
        CheckOptional("ser_swap_total", report.SwapTotalMiB);
        if (report.SwapUsedMiB is { } swapUsed)
        {
            CheckRange("ser_swap_used", swapUsed, report.SwapTotalMiB ?? 0, "ser_swap_total");
        }

        CheckOptional("ser_net_rx_bytes", report.NetRxBytes);
        CheckOptional("ser_net_tx_bytes", report.NetTxBytes);
        ValidateFileSystems(report.FileSystems);
        ValidateEvents(report);

        if (report.Containers.Count > limits.MaxContainers)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.TooManyContainers,
                $"container_stats: at most {limits.MaxContainers} containers per report, got {report.Containers.Count}");
        }

        var engines = Engines(report);
        var seen = _seenContainers ??= [];
        seen.Clear();
        for (var i = 0; i < report.Containers.Count; i++)
        {
            var container = report.Containers[i];
            var at = new FieldPath("container_stats", i);
            if (container.AgentId != report.AgentId || (container.EngineType != report.EngineType && engines?.Contains(container.EngineType) != true))
            {
                var field = container.AgentId != report.AgentId ? "agent_id" : "engine_type";
                var (mine, theirs) = field == "agent_id"
                    ? (container.AgentId, report.AgentId)
                    : (container.EngineType, report.EngineType);
                throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.InconsistentContainer,
                    $"{at}{field}: '{ReportReader.Truncate(mine)}' differs from the report's '{ReportReader.Truncate(theirs)}'");
            }

            CheckName(at.Name("node_name"), container.NodeName, isContainerName: false);
            CheckName(at.Name("container_name"), container.ContainerName, isContainerName: true);
            if (container.Status.Length is 0 or > MaxStatusLength || !container.Status.All(char.IsAsciiLetterLower))
            {
                throw Invalid($"{at}status: must be 1-{MaxStatusLength} lower-case letters (the engine's state), got '{ReportReader.Truncate(container.Status)}'");
            }

            CheckRange(at.Name("con_cpu_percent"), container.CpuPercent, maxCpuPercent, "100 x ser_cpu_count");
            CheckRange(at.Name("con_memory_usage"), container.MemoryUsageMiB, double.MaxValue, "");
            CheckRange(at.Name("con_memory_percent"), container.MemoryPercent, 100, "100");
            CheckTime(at.Name("con_get_datetime"), container.SampledAt);
            ValidateLifecycle(at, container);

            // Two entries for one container at one instant cannot both be true, and the second would be lost.
            if (!seen.Add((container.NodeName, container.ContainerName)))
            {
                throw Invalid($"{at}container_name: '{ReportReader.Truncate(container.ContainerName)}' on node '{ReportReader.Truncate(container.NodeName)}' appears twice");
            }
        }

        seen.Clear(); // not to keep the report's names alive until this thread's next report
    }

    private void ValidateLifecycle(FieldPath at, ContainerStat container)
    {
        CheckContainerId(at.Name("container_id"), container.ContainerId);
        CheckImage(at.Name("image"), container.Image);
        CheckOptional(at.Name("con_net_rx_bytes"), container.NetRxBytes);
        CheckOptional(at.Name("con_net_tx_bytes"), container.NetTxBytes);
        CheckOptional(at.Name("con_block_read_bytes"), container.BlockReadBytes);
        CheckOptional(at.Name("con_block_write_bytes"), container.BlockWriteBytes);
        CheckOptional(at.Name("con_pids"), container.Pids);
        CheckOptional(at.Name("con_memory_limit"), container.MemoryLimitBytes);
        CheckOptional(at.Name("con_cpu_usage_ns"), container.CpuUsageNanos);
        CheckHealth(at.Name("health"), container.Health);
        CheckOptional(at.Name("restart_count"), container.RestartCount);
        // exit_code: any integer, as the engine passes on what the process returned.
        if (container.StartedAt is { } started)
        {
            CheckTime(at.Name("started_at"), started);
        }

        if (container.FinishedAt is { } finished)
        {
            CheckTime(at.Name("finished_at"), finished);
        }

        CheckLabels(at.Name("labels"), container.Labels);
    }

    private static void CheckLabels(FieldName field, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        if (labels.Count > ContainerLabels.MaxCount)
        {
            throw Invalid($"{field}: at most {ContainerLabels.MaxCount} labels, got {labels.Count}");
        }

        foreach (var (key, value) in labels)
        {
            if (!ContainerLabels.IsValidKey(key))
            {
                throw Invalid($"{field}: a key must be 1-{ContainerLabels.MaxKeyLength} characters without spaces or control characters, got '{ReportReader.Truncate(key)}'");
            }

            if (!ContainerLabels.IsValidValue(value))
            {
                throw Invalid($"{field}.{key}: at most {ContainerLabels.MaxValueLength} characters without control characters");
            }
        }
    }

    private static void ValidateFileSystems(IReadOnlyList<FileSystemStat>? fileSystems)
    {
        if (fileSystems is null)
        {
            return;
        }

        if (fileSystems.Count > FileSystemStat.MaxPerReport)
        {
            throw Invalid($"ser_filesystems: at most {FileSystemStat.MaxPerReport} file systems per report, got {fileSystems.Count}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fileSystems.Count; i++)
        {
            var fs = fileSystems[i];
            var at = new FieldPath("ser_filesystems", i);
            if (fs.MountPoint.Length is 0 or > FileSystemStat.MaxMountPointLength || fs.MountPoint[0] != '/' || fs.MountPoint.Any(char.IsControl))
            {
                throw Invalid($"{at}mount_point: must be an absolute path of 1-{FileSystemStat.MaxMountPointLength} characters without control characters");
            }

            if (fs.FsType.Length is 0 or > FileSystemStat.MaxTypeLength || fs.FsType.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                throw Invalid($"{at}fs_type: must be 1-{FileSystemStat.MaxTypeLength} characters without spaces, got '{ReportReader.Truncate(fs.FsType)}'");
            }

            CheckRange(at.Name("total_bytes"), fs.TotalBytes, long.MaxValue, "");
            CheckRange(at.Name("used_bytes"), fs.UsedBytes, fs.TotalBytes, "total_bytes");
            if (!seen.Add(fs.MountPoint))
            {
                throw Invalid($"{at}mount_point: '{ReportReader.Truncate(fs.MountPoint)}' appears twice");
            }
        }
    }

    private void ValidateEvents(MonitorReport report)
    {
        if (report.Events is not { } events)
        {
            return;
        }

        if (events.Count > ContainerEvent.MaxPerReport)
        {
            throw Invalid($"container_events: at most {ContainerEvent.MaxPerReport} events per report, got {events.Count}");
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var at = new FieldPath("container_events", i);
            CheckContainerId(at.Name("container_id"), e.ContainerId);
            CheckName(at.Name("container_name"), e.ContainerName, isContainerName: true);
            CheckName(at.Name("node_name"), e.NodeName, isContainerName: false);
            if (!ContainerActions.IsKnown(e.Action))
            {
                throw Invalid($"{at}action: unknown action '{ReportReader.Truncate(e.Action)}'; known: {string.Join(", ", ContainerActions.All)}");
            }

            CheckTime(at.Name("event_datetime"), e.OccurredAt);
            // The key holds the nanoseconds, the reader the seconds: two times for one event must be one time.
            if (e.TimeNano <= 0 || WireTimestamp.FromUnixNanos(e.TimeNano) != e.OccurredAt)
            {
                throw Invalid($"{at}time_nano: {e.TimeNano} is not within the second of event_datetime {WireTimestamp.ToWire(e.OccurredAt)}");
            }

            if (e.Source is not (ContainerActions.SourceEngine or ContainerActions.SourceReconciled))
            {
                throw Invalid($"{at}source: must be '{ContainerActions.SourceEngine}' or '{ContainerActions.SourceReconciled}', got '{ReportReader.Truncate(e.Source)}'");
            }

            CheckImage(at.Name("image"), e.Image);
            if (e.Signal is { } signal)
            {
                CheckRange(at.Name("kill_signal"), signal, 255, "255");
            }

            CheckHealth(at.Name("health"), e.Health);
        }
    }

    private static void CheckContainerId(FieldName field, string? id)
    {
        if (id is not null && !ContainerStat.IsValidId(id))
        {
            throw Invalid($"{field}: must be 1-{ContainerStat.MaxIdLength} letters or digits (the engine's id), got '{ReportReader.Truncate(id)}'");
        }
    }

    private static void CheckImage(FieldName field, string? image)
    {
        if (image is not null && !ContainerStat.IsValidImage(image))
        {
            throw Invalid($"{field}: must be 1-{ContainerStat.MaxImageLength} characters without control characters");
        }
    }

    private static void CheckHealth(FieldName field, string? health)
    {
        if (health is not null && !ContainerHealth.IsKnown(health))
        {
            throw Invalid($"{field}: must be healthy, unhealthy or starting (absent without a health check), got '{ReportReader.Truncate(health)}'");
        }
    }

    // Whole numbers too (counters, uptime, restarts): a long is exact as a double far beyond any bound checked here.
    private static void CheckOptional(FieldName field, double? value)
    {
        if (value is { } v)
        {
            CheckRange(field, v, double.MaxValue, "");
        }
    }

    private static void CheckRange(FieldName field, double value, double max, string maxName)
    {
        if (value < 0)
        {
            throw Invalid($"{field}: must not be negative, got {Format(value)}");
        }

        if (value > max)
        {
            throw Invalid($"{field}: must be at most {maxName} ({Format(max)}), got {Format(value)}");
        }
    }

    private static void CheckName(FieldName field, string value, bool isContainerName)
    {
        if (WireNames.Problem(value, isContainerName) is { } problem)
        {
            throw Invalid(value.Length is > 0 and <= MaxNameLength && !value.Any(char.IsControl)
                ? $"{field}: {problem}, got '{ReportReader.Truncate(value)}'"
                : $"{field}: {problem}");
        }
    }

    private void CheckTime(FieldName field, DateTime utc)
    {
        var latest = clock.GetUtcNow().UtcDateTime.AddSeconds(options.Value.MaxFutureSkewSeconds);
        if (utc < Earliest)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.InvalidTimestamp,
                $"{field}: {WireTimestamp.ToWire(utc)} is before {WireTimestamp.ToWire(Earliest)}");
        }

        if (utc > latest)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.InvalidTimestamp,
                $"{field}: {WireTimestamp.ToWire(utc)} UTC is in the future (server time {WireTimestamp.ToWire(clock.GetUtcNow().UtcDateTime)} UTC, " +
                $"allowed skew {options.Value.MaxFutureSkewSeconds} s); check the agent's clock");
        }
    }

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static ApiProblemException Invalid(string message) =>
        new(StatusCodes.Status400BadRequest, ResultCodes.InvalidValue, message);
}
