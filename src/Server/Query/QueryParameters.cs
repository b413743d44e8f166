using System.Globalization;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Ingest;

namespace StackScope.Server.Query;

/// <summary>Reads and checks query-string parameters; each refusal names the parameter.</summary>
internal static class QueryParameters
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxPoints = 1000;
    public const int TargetPoints = 300;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);
    // Five years: the hour tier's default retention (Retention:HourDays).
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(1830);

    // Nothing is stored before 2000 (ingest refuses it); far-future times are typing mistakes. Inside these
    // bounds every range arithmetic (to - DefaultRange, buckets) stays far from DateTime's edges.
    private static readonly DateTime EarliestTime = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime LatestTime = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Steps a chart snaps to, so buckets line up across refreshes.
    private static readonly int[] NiceSteps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 345600, 604800];
    private const int MaxStep = 604800;

    public static (int Page, int Size, int Offset) Paging(HttpRequest request)
    {
        var page = Integer(request, "page", 1, 1, int.MaxValue / MaxPageSize);
        var size = Integer(request, "size", DefaultPageSize, 1, MaxPageSize);
        return (page, size, (page - 1) * size);
    }

    public static PageInfo PageInfo(int page, int size, long total) => new()
    {
        Page = page,
        Size = size,
        TotalCount = total,
        TotalPages = (int)((total + size - 1) / size),
    };

    /// <summary>from/to (ISO 8601 or YYYY-MM-DD HH:MM:SS, UTC unless an offset is given) and the bucket step.</summary>
    public static (DateTime From, DateTime To, int Step) Range(HttpRequest request, DateTime nowUtc)
    {
        var to = Time(request, "to") ?? nowUtc;
        var from = Time(request, "from") ?? to - DefaultRange;
        if (from > to)
        {
            throw Bad("from", $"must not be after to ({Format(from)} > {Format(to)})");
        }

        if (to - from > MaxRange)
        {
            throw Bad("from", $"range is {(to - from).TotalDays:0.#} days; at most {MaxRange.TotalDays:0} days per query");
        }

        var seconds = Math.Max(1, (to - from).TotalSeconds);
        int step;
        if (request.Query.ContainsKey("step"))
        {
            step = Integer(request, "step", 0, 1, MaxStep);
            if (seconds / step > MaxPoints)
            {
                throw Bad("step", $"{step} s gives {Math.Ceiling(seconds / step):0} points over this range; at most {MaxPoints} (use step >= {Math.Ceiling(seconds / MaxPoints):0})");
            }
        }
        else
        {
            var wanted = seconds / TargetPoints;
            step = NiceSteps.FirstOrDefault(s => s >= wanted, NiceSteps[^1]);
        }

        return (from, to, step);
    }

    public static string AgentId(string value) =>
        AgentIds.IsValid(value) ? value : throw Bad("agentId", $"must be 1-{AgentIds.MaxLength} characters of [A-Za-z0-9._-]");

    public static string? Optional(HttpRequest request, string name, int maxLength)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return value.Length <= maxLength && !value.Any(char.IsControl)
            ? value
            : throw Bad(name, $"must be at most {maxLength} characters without control characters");
    }

    private static DateTime? Time(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            throw Bad(name, $"'{ReportReader.Truncate(text)}' is not a time (use ISO 8601, e.g. 2026-11-25T12:00:00Z)");
        }

        return parsed.UtcDateTime >= EarliestTime && parsed.UtcDateTime < LatestTime
            ? parsed.UtcDateTime
            : throw Bad(name, $"{Format(parsed.UtcDateTime)} is outside {Format(EarliestTime)} to {Format(LatestTime)}");
    }

    private static int Integer(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Bad(name, $"must be a whole number from {min} to {max}, got '{ReportReader.Truncate(text)}'");
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static ApiProblemException Bad(string parameter, string message) =>
        ApiProblemException.BadRequest(ResultCodes.InvalidParameter, $"{parameter}: {message}");
}
