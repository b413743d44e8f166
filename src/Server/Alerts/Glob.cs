namespace StackScope.Server.Alerts;

/// <summary>
/// Shell-style name patterns for rule scopes and silences: <c>*</c> any run, <c>?</c> one character, <c>[abc]</c>,
/// <c>[a-z]</c>, <c>[!x]</c> (<c>[*]</c> is a literal star). Parsed once into elements and matched by the usual glob
/// walk that returns only to the last star, so a match costs at most the name's length times the pattern's, with no
/// clock involved: names come from agents and patterns from admins, and neither may make a match slow or throw.
/// A regular expression is not used on purpose: a backtracking one needed a timeout that fired under CPU starvation,
/// and a non-backtracking one builds an automaton per pattern where a glob needs none.
/// </summary>
internal sealed class Glob
{
    /// <summary>At most this many elements (a character, a wildcard or a set each): a pattern longer than any name is no use.</summary>
    public const int MaxLength = 255;

    /// <summary>At most this many characters of text: a name of 255 characters with every <c>*</c> written as <c>[*]</c> fits.</summary>
    public const int MaxTextLength = 1024;

    private static readonly string SizeProblem = $"must be 1-{MaxLength} characters (at most {MaxTextLength} as written) without control characters";

    private readonly Element[]? _elements;
    private readonly string _literal;

    private Glob(string pattern, Element[]? elements)
    {
        _literal = pattern;
        _elements = elements;
    }

    /// <summary>True when the pattern has no wildcard: it names exactly one thing.</summary>
    public bool IsLiteral => _elements is null;

    public string Pattern => _literal;

    public bool Matches(string? value) =>
        value is not null && (_elements is null ? string.Equals(value, _literal, StringComparison.Ordinal) : Walk(_elements, value));

    /// <summary>A pattern that matches exactly <paramref name="name"/>: its wildcard characters written as one-character sets.</summary>
    public static string Escape(string name) =>
        string.Concat(name.Select(c => c is '*' or '?' or '[' ? $"[{c}]" : c.ToString()));

    /// <summary>The compiled pattern, or the reason it is malformed.</summary>
    public static Glob? TryParse(string pattern, out string? problem)
    {
        problem = null;
        if (pattern.Length is 0 or > MaxTextLength || pattern.Any(char.IsControl))
        {
            problem = SizeProblem;
            return null;
        }

        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            return pattern.Length <= MaxLength ? new Glob(pattern, null) : TooLong(out problem);
        }

        var elements = new List<Element>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    if (elements.Count == 0 || elements[^1].Kind != ElementKind.Star)
                    {
                        elements.Add(new Element(ElementKind.Star, c, null, false));
                    }

                    break;
                case '?':
                    elements.Add(new Element(ElementKind.Any, c, null, false));
                    break;
                case '[':
                    // The first character after '[' (or "[!") belongs to the set even when it is ']', as in the shell.
                    var first = i + 1 < pattern.Length && pattern[i + 1] == '!' ? i + 2 : i + 1;
                    var close = first + 1 < pattern.Length ? pattern.IndexOf(']', first + 1) : -1;
                    if (close < 0)
                    {
                        problem = $"'{pattern}' is a malformed pattern: '[' at position {i + 1} is never closed";
                        return null;
                    }

                    var set = pattern[(i + 1)..close];
                    var negate = set.StartsWith('!');
                    var ranges = Ranges(negate ? set[1..] : set);
                    if (ranges is null)
                    {
                        problem = $"'{pattern}' is a malformed pattern (e.g. a range like [z-a], or an empty set)";
                        return null;
                    }

                    elements.Add(new Element(ElementKind.Set, c, ranges, negate));
                    i = close;
                    break;
                default:
                    elements.Add(new Element(ElementKind.Char, c, null, false));
                    break;
            }
        }

        return elements.Count <= MaxLength ? new Glob(pattern, elements.ToArray()) : TooLong(out problem);
    }

    public static Glob Parse(string pattern) =>
        TryParse(pattern, out var problem) ?? throw new ArgumentException(problem, nameof(pattern));

    private static Glob? TooLong(out string problem)
    {
        problem = SizeProblem;
        return null;
    }

    // A set's members: single characters, and ranges "a-z" ('-' first or last is itself).
    private static (char Low, char High)[]? Ranges(string set)
    {
        var ranges = new List<(char, char)>();
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (set[i] > set[i + 2])
                {
                    return null;
                }

                ranges.Add((set[i], set[i + 2]));
                i += 2;
            }
            else
            {
                ranges.Add((set[i], set[i]));
            }
        }

        return ranges.Count > 0 ? ranges.ToArray() : null;
    }

    // The classic glob walk: on a mismatch only the last star takes one character more, so no earlier choice is
    // ever revisited. Steps: at most the name's length times the elements'.
    private static bool Walk(Element[] elements, string name)
    {
        int e = 0, n = 0, starE = -1, starN = 0;
        while (e < elements.Length || n < name.Length)
        {
            if (e < elements.Length)
            {
                var element = elements[e];
                if (element.Kind == ElementKind.Star)
                {
                    starE = e++;
                    starN = n;
                    continue;
                }

                if (n < name.Length && element.Accepts(name[n]))
                {
                    e++;
                    n++;
                    continue;
                }
            }

            if (starE >= 0 && starN < name.Length)
            {
                e = starE + 1;
                n = ++starN;
                continue;
            }

            return false;
        }

        return true;
    }

    private enum ElementKind
    {
        Char,
        Any,
        Star,
        Set,
    }

    private readonly record struct Element(ElementKind Kind, char Char, (char Low, char High)[]? Ranges, bool Negate)
    {
        public bool Accepts(char c) => Kind switch
        {
            ElementKind.Char => c == Char,
            ElementKind.Any => true,
            ElementKind.Set => InSet(c) != Negate,
            _ => false,
        };

        private bool InSet(char c)
        {
            foreach (var (low, high) in Ranges!)
            {
                if (c >= low && c <= high)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
