using System.Globalization;
using System.Text;

namespace StackScope.Contracts;

/// <summary>
/// Both programs log values that come from outside (request paths, container names and labels, engine error messages):
/// a <c>\r</c>, <c>\n</c> or terminal escape among them would let that outside party print a forged log line or
/// recolour a terminal, so both write them escaped.
/// </summary>
public static class LogText
{
    /// <summary>Control characters as <c>\r</c>, <c>\n</c>, <c>\t</c> or <c>\uXXXX</c>; everything else as is.</summary>
    public static void AppendEscaped(StringBuilder line, string? text)
    {
        ArgumentNullException.ThrowIfNull(line);
        foreach (var c in text ?? "")
        {
            if (!char.IsControl(c))
            {
                line.Append(c);
                continue;
            }

            line.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
    }
}
