using StackScope.Server.Storage;

namespace StackScope.Server.Query;

/// <summary>Whether an agent still reports, judged from its recent reports: the API's "online", /metrics' "up".</summary>
internal static class AgentPresence
{
    private const int DefaultIntervalSeconds = 10;
    private const int MissedIntervals = 3;

    /// <summary>The typical gap between the agent's recent reports (median, so an outage does not skew it).</summary>
    public static int IntervalSeconds(IReadOnlyList<HostRow> newestFirst)
    {
        if (newestFirst.Count < 2)
        {
            return DefaultIntervalSeconds;
        }

        var gaps = newestFirst.Zip(newestFirst.Skip(1), (a, b) => (a.SampledAt - b.SampledAt).TotalSeconds).Order().ToList();
        return (int)Math.Clamp(Math.Round(gaps[gaps.Count / 2]), 1, 3600);
    }

    /// <summary>Its last report is no older than three of its intervals (and, when given, <paramref name="floorSeconds"/>).</summary>
    public static bool IsOnline(IReadOnlyList<HostRow> newestFirst, DateTime now, double floorSeconds = 0) =>
        newestFirst.Count > 0 &&
        (now - newestFirst[0].SampledAt).TotalSeconds <= Math.Max(MissedIntervals * IntervalSeconds(newestFirst), floorSeconds);
}
