using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>
/// Picks the labels a container's record carries (<see cref="AgentOptions.ForwardLabels"/>): entries ending in '.'
/// match a key prefix, others a whole key. A label the server would refuse is left out, never the report.
/// </summary>
internal sealed class LabelFilter
{
    private readonly string[] _prefixes;
    private readonly HashSet<string> _keys;

    public LabelFilter(string forward)
    {
        var entries = (forward ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _prefixes = entries.Where(e => e.EndsWith('.')).ToArray();
        _keys = entries.Where(e => !e.EndsWith('.')).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, string>? Select(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0 || (_prefixes.Length == 0 && _keys.Count == 0))
        {
            return null;
        }

        Dictionary<string, string>? picked = null;
        foreach (var (key, value) in labels)
        {
            if ((_keys.Contains(key) || _prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
                && ContainerLabels.IsValidKey(key) && ContainerLabels.IsValidValue(value)
                && (picked?.Count ?? 0) < ContainerLabels.MaxCount)
            {
                (picked ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }

        return picked;
    }
}
