using System.Text.Json.Nodes;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>Reading and judging figures from the agent's records and the API's answers.</summary>
public static class Figures
{
    /// <summary>The middle value: one round whose windows saw different CPU shares is not decisive.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    public static double Number(JsonObject record, string field) => record[field]!.GetValue<double>();
}
