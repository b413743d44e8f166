using System.Text;
using MimeKit;

namespace StackScope.Server.Alerts.Channels;

/// <summary>
/// A notice's title as a header value. Titles carry container and mount names an agent chose: a non-ASCII character
/// cannot go into an HTTP header at all, and text that merely looks like an RFC 2047 encoded word
/// (<c>=?utf-8?q?...?=</c>) would be shown decoded by a mail client or ntfy, so such a title goes wholly as encoded
/// words (as git's format-patch does); a plain ASCII one is left readable.
/// </summary>
internal static class HeaderText
{
    // 45 bytes of UTF-8 make 60 characters of base64: with "=?utf-8?b??=" an encoded word stays under RFC 2047's 75.
    private const int BytesPerWord = 45;

    public static bool NeedsEncoding(string text) =>
        text.Any(c => c > '~' || (c < ' ' && c != '\t')) || text.Contains("=?", StringComparison.Ordinal);

    /// <summary>One line of ASCII for an HTTP header (ntfy's <c>Title</c>).</summary>
    public static string Ascii(string text) => NeedsEncoding(text) ? string.Join(' ', Words(text)) : text;

    /// <summary>The mail's Subject header, folded between encoded words so no line grows past the limit.</summary>
    public static Header Subject(string text)
    {
        var header = new Header(HeaderId.Subject, "");
        if (!NeedsEncoding(text))
        {
            header.Value = text;
            return header;
        }

        header.SetRawValue(Encoding.ASCII.GetBytes(" " + string.Join("\r\n ", Words(text)) + "\r\n"));
        return header;
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            // As many whole characters (never half a surrogate pair) as fit in one word's bytes.
            var end = start;
            var bytes = 0;
            while (end < text.Length)
            {
                var width = char.IsHighSurrogate(text[end]) && end + 1 < text.Length ? 2 : 1;
                var size = Encoding.UTF8.GetByteCount(text.AsSpan(end, width));
                if (bytes + size > BytesPerWord)
                {
                    break;
                }

                bytes += size;
                end += width;
            }

            yield return $"=?utf-8?b?{Convert.ToBase64String(Encoding.UTF8.GetBytes(text[start..end]))}?=";
            start = end;
        }
    }
}
