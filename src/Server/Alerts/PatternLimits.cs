namespace StackScope.Server.Alerts;

/// <summary>
/// Every scope pattern is matched against every container of every report, so their number is bounded per rule and
/// over the whole rule book: YAML anchors once let a small import store thousands of patterns per rule and stop
/// evaluation altogether.
/// </summary>
internal static class PatternLimits
{
    public const int MaxPerRule = 100;
    public const int MaxTotal = 2000;

    public static int Count(RuleScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Agents.Count + scope.Containers.Count + scope.Images.Count + scope.Labels.Count;
    }

    public static void CheckRule(RuleScope scope, string field)
    {
        var count = Count(scope);
        if (count > MaxPerRule)
        {
            throw RuleProblem.At(field, $"at most {MaxPerRule} patterns, got {count}");
        }
    }

    public static void CheckTotal(IEnumerable<AlertRule> rules, string field)
    {
        var total = rules.Sum(r => Count(r.Scope));
        if (total > MaxTotal)
        {
            throw RuleProblem.At(field, $"at most {MaxTotal} scope patterns over all rules, got {total}");
        }
    }
}
