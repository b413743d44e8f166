using System.Threading.Channels;

namespace StackScope.Server.Ingest;

/// <summary>
/// What one transaction takes from the queue: whatever has gathered, up to a number of reports and of rows (a report is
/// its server row plus one row per container). The row bound keeps transactions small where size costs: on Galera a
/// transaction is one write set, certified and applied whole on every node, and a large one stalls the cluster's flow
/// control for all writers. A report larger than the row bound still goes, alone.
/// </summary>
internal static class BatchTaker
{
    public static void Take(ChannelReader<PendingReport> reader, List<PendingReport> batch, int maxReports, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(batch);
        var rows = 0;
        while (batch.Count < maxReports && reader.TryPeek(out var next))
        {
            var reportRows = RowsOf(next);
            if (batch.Count > 0 && rows + reportRows > maxRows)
            {
                return;
            }

            if (!reader.TryRead(out var taken))
            {
                return;
            }

            // With several writer loops another may have read the peeked report first: count what was taken.
            rows += ReferenceEquals(taken, next) ? reportRows : RowsOf(taken);
            batch.Add(taken);
        }
    }

    private static int RowsOf(PendingReport pending) => 1 + pending.Report.Containers.Count;
}
