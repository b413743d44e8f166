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

    // Older than any agent could have spooled; also keeps DATETIME columns clear of their edge values.
    private static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public void Validate(MonitorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var limits = options.Value;

        if (!EngineTypes.IsKnown(report.EngineType))
        {
            throw Invalid($"engine_type: unknown engine '{ReportReader.Truncate(report.EngineType)}'; known: {string.Join(", ", EngineTypes.Known)}");
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

        if (report.Containers.Count > limits.MaxContainers)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.TooManyContainers,
                $"container_stats: at most {limits.MaxContainers} containers per report, got {report.Containers.Count}");
        }

        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < report.Containers.Count; i++)
        {
            var container = report.Containers[i];
            var prefix = $"container_stats[{i}].";
            if (container.AgentId != report.AgentId || container.EngineType != report.EngineType)
            {
                var field = container.AgentId != report.AgentId ? "agent_id" : "engine_type";
                var (mine, theirs) = field == "agent_id"
                    ? (container.AgentId, report.AgentId)
                    : (container.EngineType, report.EngineType);
                throw new ApiProblemException(StatusCodes.Status400BadRequest, ResultCodes.InconsistentContainer,
                    $"{prefix}{field}: '{ReportReader.Truncate(mine)}' differs from the report's '{ReportReader.Truncate(theirs)}'");
            }

            CheckName(prefix + "node_name", container.NodeName, isContainerName: false);
            CheckName(prefix + "container_name", container.ContainerName, isContainerName: true);
            if (container.Status.Length is 0 or > MaxStatusLength || !container.Status.All(char.IsAsciiLetterLower))
            {
                throw Invalid($"{prefix}status: must be 1-{MaxStatusLength} lower-case letters (the engine's state), got '{ReportReader.Truncate(container.Status)}'");
            }

            CheckRange(prefix + "con_cpu_percent", container.CpuPercent, maxCpuPercent, "100 x ser_cpu_count");
            CheckRange(prefix + "con_memory_usage", container.MemoryUsageMiB, double.MaxValue, "");
            CheckRange(prefix + "con_memory_percent", container.MemoryPercent, 100, "100");
            CheckTime(prefix + "con_get_datetime", container.SampledAt);

            // Two entries for one container at one instant cannot both be true, and the second would be lost.
            if (!seen.Add((container.NodeName, container.ContainerName)))
            {
                throw Invalid($"{prefix}container_name: '{ReportReader.Truncate(container.ContainerName)}' on node '{ReportReader.Truncate(container.NodeName)}' appears twice");
            }
        }
    }

    private static void CheckRange(string field, double value, double max, string maxName)
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

    private static void CheckName(string field, string value, bool isContainerName)
    {
        if (WireNames.Problem(value, isContainerName) is { } problem)
        {
            throw Invalid(value.Length is > 0 and <= MaxNameLength && !value.Any(char.IsControl)
                ? $"{field}: {problem}, got '{ReportReader.Truncate(value)}'"
                : $"{field}: {problem}");
        }
    }

    private void CheckTime(string field, DateTime utc)
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
