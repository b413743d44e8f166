using System.Text;
using System.Text.RegularExpressions;

namespace StackScope.Server.Alerts;

/// <summary>
/// Shell-style name patterns for rule scopes: <c>*</c> any run, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c>,
/// <c>[!x]</c>. Compiled once to an anchored regular expression; an unclosed bracket is refused when the rule is saved.
/// </summary>
internal sealed class Glob
{
    public const int MaxLength = 255;

    private readonly Regex? _regex;
    private readonly string _literal;

    private Glob(string pattern, Regex? regex)
    {
        _literal = pattern;
        _regex = regex;
    }

    /// <summary>True when the pattern has no wildcard: it names exactly one thing.</summary>
    public bool IsLiteral => _regex is null;

    public string Pattern => _literal;

    public bool Matches(string? value) => value is not null && (_regex?.IsMatch(value) ?? string.Equals(value, _literal, StringComparison.Ordinal));

    /// <summary>The compiled pattern, or the reason it is malformed.</summary>
    public static Glob? TryParse(string pattern, out string? problem)
    {
        problem = null;
        if (pattern.Length is 0 or > MaxLength || pattern.Any(char.IsControl))
        {
            problem = $"must be 1-{MaxLength} characters without control characters";
            return null;
        }

        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            return new Glob(pattern, null);
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = i + 2 < pattern.Length ? pattern.IndexOf(']', i + 2) : -1;
                    if (close < 0)
                    {
                        problem = $"'{pattern}' is a malformed pattern: '[' at position {i + 1} is never closed";
                        return null;
                    }

                    var set = pattern[(i + 1)..close];
                    var negate = set.StartsWith('!');
                    regex.Append(negate ? "[^" : "[").Append(Regex.Escape(negate ? set[1..] : set).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        try
        {
            return new Glob(pattern, new Regex(regex.Append('$').ToString(),
                RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(50)));
        }
        catch (ArgumentException)
        {
            problem = $"'{pattern}' is a malformed pattern (e.g. a range like [z-a])";
            return null;
        }
    }

    public static Glob Parse(string pattern) =>
        TryParse(pattern, out var problem) ?? throw new ArgumentException(problem, nameof(pattern));
}
