using System.Globalization;
using System.Text.RegularExpressions;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// The list's status text ("Up 5 minutes (healthy)", "Exited (3) 2 minutes ago", "Restarting (1) 3 seconds ago",
/// "Up 2 hours (Paused)") split into what changes only when inspect would tell something new (the words and the
/// parenthesized parts) and the age, which grows by itself: a run that restarted shows a younger age. So an unchanged
/// container is not inspected again every sample, nor every time "2 minutes" becomes "3 minutes".
/// </summary>
internal static partial class DockerStatusText
{
    [GeneratedRegex(@"(Less than a second|About an? (?:minute|hour)|\d+ (?:second|minute|hour|day|week|month|year)s?)")]
    private static partial Regex Age();

    public static (string Tags, double AgeSeconds) Parse(string? status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return ("", 0);
        }

        var match = Age().Match(status);
        return match.Success ? (status.Remove(match.Index, match.Length), Seconds(match.Value)) : (status, 0);
    }

    /// <summary>True when the container may have changed since the status <paramref name="before"/> was listed.</summary>
    public static bool Changed(string? before, string? now)
    {
        var (tagsBefore, ageBefore) = Parse(before);
        var (tagsNow, ageNow) = Parse(now);
        return tagsBefore != tagsNow || ageNow < ageBefore;
    }

    // docker's go-units HumanDuration, read back: the unit's size, times the number shown.
    private static double Seconds(string age)
    {
        if (age.StartsWith("Less", StringComparison.Ordinal))
        {
            return 0;
        }

        if (age.StartsWith("About", StringComparison.Ordinal))
        {
            return age.EndsWith("minute", StringComparison.Ordinal) ? 60 : 3600;
        }

        var parts = age.Split(' ');
        var number = double.Parse(parts[0], CultureInfo.InvariantCulture);
        return number * parts[1].TrimEnd('s') switch
        {
            "second" => 1,
            "minute" => 60,
            "hour" => 3600,
            "day" => 86400,
            "week" => 7 * 86400,
            "month" => 30 * 86400,
            _ => 365 * 86400,
        };
    }
}
