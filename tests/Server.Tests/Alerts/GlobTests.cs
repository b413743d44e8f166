using System.Text;
using System.Text.RegularExpressions;
using StackScope.Server.Alerts;

namespace StackScope.Server.Tests.Alerts;

/// <summary>
/// Scope and silence globs: the same answers as the shell-style rules translated to a regular expression (the oracle,
/// run without backtracking), on random patterns and names; patterns made to backtrack against an agent's longest
/// names answer without throwing; escaped names match only themselves.
/// </summary>
public sealed class GlobTests
{
    private const string Alphabet = "ab-_*?[]!z.";

    // The translation the globs had as regular expressions, as an independent reference.
    private static Regex Oracle(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*')
            {
                regex.Append(".*");
            }
            else if (c == '?')
            {
                regex.Append('.');
            }
            else if (c == '[')
            {
                var first = i + 1 < pattern.Length && pattern[i + 1] == '!' ? i + 2 : i + 1;
                var close = first + 1 < pattern.Length ? pattern.IndexOf(']', first + 1) : -1;
                if (close < 0)
                {
                    throw new ArgumentException("unclosed");
                }

                var set = pattern[(i + 1)..close];
                var negate = set.StartsWith('!');
                regex.Append(negate ? "[^" : "[").Append(Regex.Escape(negate ? set[1..] : set).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);
    }

    private static string RandomText(Random random, int max)
    {
        var length = random.Next(1, max);
        return string.Concat(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
    }

    [Fact]
    public void Random_patterns_answer_as_the_regular_expression_reference_does()
    {
        var random = new Random(20261207);
        var compared = 0;
        for (var i = 0; i < 4000; i++)
        {
            var pattern = RandomText(random, 10);
            var glob = Glob.TryParse(pattern, out _);
            Regex oracle;
            try
            {
                oracle = Oracle(pattern);
            }
            catch (Exception ex) when (ex is ArgumentException or ArgumentOutOfRangeException)
            {
                Assert.Null(glob); // what the reference cannot compile is refused
                continue;
            }

            Assert.True(glob is not null, $"'{pattern}' refused");
            for (var j = 0; j < 20; j++)
            {
                var name = RandomText(random, 14);
                Assert.True(oracle.IsMatch(name) == glob.Matches(name), $"'{pattern}' against '{name}': reference {oracle.IsMatch(name)}");
                compared++;
            }
        }

        Assert.True(compared > 40000, $"{compared} comparisons");
    }

    [Theory]
    [InlineData("*-*-*-1")]
    [InlineData("*-*-*-*-*-*-*-*-1")]
    [InlineData("web-*-*-*-[0-9]")]
    [InlineData("*_*_*_*_db")]
    [InlineData("*?*?*?*?*?*?*?*?*?*?x")]
    public void Patterns_made_to_backtrack_answer_against_the_longest_names(string pattern)
    {
        var glob = Glob.Parse(pattern);
        foreach (var filler in new[] { '-', '_', 'a' })
        {
            var name = (pattern.StartsWith("web", StringComparison.Ordinal) ? "web" : "") + new string(filler, 250);
            Assert.False(glob.Matches(name));
            Assert.Equal(Oracle(pattern).IsMatch(name + "1"), glob.Matches(name + "1"));
        }
    }

    [Fact]
    public void An_escaped_name_matches_itself_only_even_at_full_length()
    {
        foreach (var name in new[] { new string('*', 255), new string('-', 254) + "?", "a[b]*c?", "[!x]" })
        {
            var glob = Glob.Parse(Glob.Escape(name));
            Assert.True(glob.Matches(name));
            Assert.False(glob.Matches(name + "x"));
            Assert.False(glob.Matches('#' + name[1..]));
        }

        Assert.Null(Glob.TryParse(new string('a', Glob.MaxLength + 1), out var problem));
        Assert.Contains("1-255", problem, StringComparison.Ordinal);
        Assert.Null(Glob.TryParse("[z-a]", out _));
        Assert.Null(Glob.TryParse("web-[", out _));
    }
}
