using System.Globalization;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>The fault tests' verdict: what was acknowledged is stored, what agents sampled is stored once.</summary>
public static class Delivered
{
    public static string Wire(object? value) => value is DateTime time
        ? time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : (string)value!;

    public static async Task<List<string>> StoredTimesAsync(TestDatabase database, string agentId) =>
        (await database.QueryAsync("SELECT ser_get_datetime FROM server WHERE agent_id = @a", ("@a", agentId)))
            .Select(r => Wire(r["ser_get_datetime"])).ToList();

    /// <summary>Every report the load generator got a 200 for is stored.</summary>
    public static async Task AssertAcknowledgedStoredAsync(TestDatabase database, SteadyLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        Assert.NotEmpty(load.Acknowledged);
        foreach (var agent in load.Acknowledged.Select(a => a.Agent).Distinct())
        {
            var stored = (await StoredTimesAsync(database, agent)).ToHashSet();
            var lost = load.Acknowledged.Where(a => a.Agent == agent && !stored.Contains(a.Time)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged reports of {agent} are not stored, e.g. {string.Join(", ", lost.Take(5))}");
        }
    }

    /// <summary>
    /// Every report the (stopped) agent sampled is stored exactly once, with all its containers, or still in its spool
    /// (sampled after the spool was last seen empty, before the stop; perhaps stored as well), and nothing else is stored.
    /// </summary>
    public static async Task AssertSampledStoredOnceAsync(TestDatabase database, string agentId, RunningAgent agent, string spool)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var sampled = agent.Sampled;
        Assert.NotEmpty(sampled);
        var stored = await StoredTimesAsync(database, agentId);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        var spooled = SpooledTimes(spool);
        Assert.True(spooled.Count <= 1, $"{agentId}: {spooled.Count} reports still spooled at the stop");
        var missing = sampled.Select(s => s.Time).Except(stored).Except(spooled).ToList();
        Assert.True(missing.Count == 0, $"{agentId}: {missing.Count} of {sampled.Count} sampled reports never arrived, e.g. {string.Join(", ", missing.Take(5))}");
        // Nothing stored that was not sampled. A report still spooled may be stored too: a stop that cancels its POST
        // after the server committed leaves it for the next start to resend, and the server takes the resend as a
        // duplicate (at least once, stored once).
        var unsampled = stored.Except(sampled.Select(s => s.Time)).ToList();
        Assert.True(unsampled.Count == 0, $"{agentId}: {unsampled.Count} stored reports were never sampled, e.g. {string.Join(", ", unsampled.Take(5))}");
        var containers = (await database.QueryAsync(
                "SELECT con_get_datetime AS t, COUNT(*) AS n FROM container WHERE agent_id = @a GROUP BY con_get_datetime", ("@a", agentId)))
            .ToDictionary(r => Wire(r["t"]), r => Convert.ToInt32(r["n"], CultureInfo.InvariantCulture));
        foreach (var (time, count) in sampled.Where(s => stored.Contains(s.Time)))
        {
            Assert.Equal(count, containers.GetValueOrDefault(time));
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {seconds} s waiting for {what}");
            }

            await Task.Delay(250);
        }
    }

    public static bool SpoolEmpty(string spool) => Directory.GetFiles(spool, "*.json").Length == 0;

    /// <summary>The sample times of the reports waiting in a spool, from their file names (yyyyMMddHHmmss-guid.json).</summary>
    public static List<string> SpooledTimes(string spool) => Directory.Exists(spool)
        ? Directory.GetFiles(spool, "*.json")
            .Select(f => DateTime.ParseExact(Path.GetFileName(f)[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .ToList()
        : [];
}
