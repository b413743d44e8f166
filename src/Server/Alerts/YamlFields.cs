using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StackScope.Server.Alerts;

/// <summary>
/// Strict reading of one YAML (or JSON: YAML's flow style reads it) mapping, naming the field of every mistake:
/// an unknown key is refused rather than ignored, so a typo never leaves a rule silently weaker.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly HashSet<string> _allowed;

    public YamlFields(YamlNode node, string path, params string[] allowed)
    {
        _path = path;
        _node = node as YamlMappingNode ?? throw RuleProblem.At(Root(path), "expected a mapping of fields");
        _allowed = allowed.ToHashSet(StringComparer.Ordinal);
        foreach (var key in _node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!_allowed.Contains(name))
            {
                throw RuleProblem.At(Field(name), $"unknown field; known: {string.Join(", ", allowed)}");
            }
        }
    }

    public static YamlNode? Load(string text, string what)
    {
        var stream = new YamlStream();
        try
        {
            YamlLimits.Check(text, what);
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw RuleProblem.At(what, $"malformed YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }

        // An empty first document ("---" alone, or "~") is no document at all.
        return stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode) ? null : stream.Documents[0].RootNode;
    }

    public string Field(string name) => _path.Length == 0 ? name : $"{_path}.{name}";

    public YamlNode? Node(string name) =>
        _node.Children.TryGetValue(new YamlScalarNode(name), out var value) && !IsNull(value) ? value : null;

    public string? String(string name)
    {
        var node = Node(name);
        return node switch
        {
            null => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw RuleProblem.At(Field(name), "expected a text value"),
        };
    }

    public string RequiredString(string name) => String(name) ?? throw RuleProblem.At(Field(name), "required");

    public double? Number(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw RuleProblem.At(Field(name), $"expected a number, got '{Short(text)}'");
    }

    public int? Integer(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw RuleProblem.At(Field(name), $"expected a whole number, got '{Short(text)}'");
    }

    public bool? Boolean(string name)
    {
        var text = String(name);
        return text is null ? null
            : text is "true" or "True" or "yes" ? true
            : text is "false" or "False" or "no" ? false
            : throw RuleProblem.At(Field(name), $"expected true or false, got '{Short(text)}'");
    }

    /// <summary>A duration as "90s", "10m", "2h", "1d" or whole seconds.</summary>
    public int? Seconds(string name)
    {
        var text = String(name);
        return text is null ? null : Durations.TryParse(text, out var seconds)
            ? seconds
            : throw RuleProblem.At(Field(name), $"expected a duration like 90s, 10m, 2h or 1d, got '{Short(text)}'");
    }

    public IReadOnlyList<string> Strings(string name)
    {
        return Node(name) switch
        {
            null => [],
            YamlScalarNode scalar => [scalar.Value ?? ""],
            YamlSequenceNode sequence => sequence.Children.Select((item, i) => item is YamlScalarNode s
                ? s.Value ?? ""
                : throw RuleProblem.At($"{Field(name)}[{i}]", "expected a text value")).ToList(),
            _ => throw RuleProblem.At(Field(name), "expected a list of text values"),
        };
    }

    public IReadOnlyDictionary<string, string> Map(string name)
    {
        return Node(name) switch
        {
            null => new Dictionary<string, string>(),
            YamlMappingNode map => map.Children.ToDictionary(
                kv => (kv.Key as YamlScalarNode)?.Value ?? throw RuleProblem.At(Field(name), "keys must be text"),
                kv => kv.Value is YamlScalarNode v ? v.Value ?? "" : throw RuleProblem.At($"{Field(name)}.{kv.Key}", "expected a text value"),
                StringComparer.Ordinal),
            _ => throw RuleProblem.At(Field(name), "expected a mapping of text values"),
        };
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private static string Root(string path) => path.Length == 0 ? "body" : path;

    internal static string Short(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}

/// <summary>Durations as operators write them: 90s, 10m, 2h, 1d, or whole seconds.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out int seconds)
    {
        seconds = 0;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        var unit = text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86_400, _ => 0 };
        var digits = unit == 0 ? text : text[..^1];
        unit = unit == 0 ? 1 : unit;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count * unit > int.MaxValue)
        {
            return false;
        }

        seconds = (int)(count * unit);
        return true;
    }

    public static string Format(int seconds) =>
        seconds == 0 ? "0s"
        : seconds % 86_400 == 0 ? $"{seconds / 86_400}d"
        : seconds % 3600 == 0 ? $"{seconds / 3600}h"
        : seconds % 60 == 0 ? $"{seconds / 60}m"
        : $"{seconds}s";
}
