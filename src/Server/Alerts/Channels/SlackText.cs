using System.Text;

namespace StackScope.Server.Alerts.Channels;

/// <summary>
/// A notice as Slack's <c>text</c>: Slack reads <c>&lt;!channel&gt;</c>, <c>&lt;!here&gt;</c> and
/// <c>&lt;url|label&gt;</c> as mentions and links, so the three characters it names (<c>&amp;</c>, <c>&lt;</c>,
/// <c>&gt;</c>) are escaped everywhere an agent's names can reach; the title alone is set in bold.
/// </summary>
internal static class SlackText
{
    public static string Message(Notice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return $"*{Escape(notice.Title())}*\n{Escape(notice.Text())}";
    }

    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
