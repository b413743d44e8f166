using System.Globalization;

namespace StackScope.Agent.Host;

/// <summary>
/// /proc/&lt;pid&gt;/net/dev of a network namespace: bytes received and sent summed over its interfaces, loopback left
/// out (Docker's container stats list the sandbox's interfaces without lo; traffic a host sends itself is not traffic).
/// </summary>
internal static class NetDevParser
{
    public static (long RxBytes, long TxBytes) Parse(ReadOnlySpan<char> text)
    {
        long rx = 0, tx = 0;
        Span<Range> fields = stackalloc Range[17];
        foreach (var line in text.EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line[..colon].Trim().SequenceEqual("lo"))
            {
                continue; // header lines (their counters are not numbers, so they are skipped below too) and loopback
            }

            var counters = line[(colon + 1)..];
            if (counters.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries) < 9)
            {
                continue;
            }

            // Receive: bytes packets errs drop fifo frame compressed multicast; then Transmit: bytes ...
            if (long.TryParse(counters[fields[0]], NumberStyles.None, CultureInfo.InvariantCulture, out var received) &&
                long.TryParse(counters[fields[8]], NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
            {
                rx += received;
                tx += sent;
            }
        }

        return (rx, tx);
    }
}
