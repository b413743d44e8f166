using System.Text.Json;
using System.Threading.Channels;
using StackScope.Contracts;
using StackScope.Server.Ingest;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Ingest;

/// <summary>A transaction takes what has gathered up to its bounds in reports and in rows, and a report beyond the row bound alone.</summary>
public sealed class BatchTakerTests
{
    private static PendingReport Report(int containers)
    {
        var names = Enumerable.Range(0, containers).Select(i => "c" + i).ToList();
        var report = Reports.WithContainerNames(Reports.Seed(Reports.NewAgentId()), names);
        var stats = report["container_stats"]!.AsArray();
        while (stats.Count > containers)
        {
            stats.RemoveAt(stats.Count - 1); // the seed's own containers beyond those named
        }

        var pending = new PendingReport(JsonSerializer.Deserialize(report.ToJsonString(), ContractsJsonContext.Default.MonitorReport)!, 0);
        Assert.Equal(containers, pending.Report.Containers.Count);
        return pending;
    }

    private static List<List<int>> TakeAll(IEnumerable<int> containersPerReport, int maxReports, int maxRows)
    {
        var queue = Channel.CreateUnbounded<PendingReport>();
        foreach (var containers in containersPerReport)
        {
            Assert.True(queue.Writer.TryWrite(Report(containers)));
        }

        var batches = new List<List<int>>();
        while (queue.Reader.Count > 0)
        {
            var batch = new List<PendingReport>();
            BatchTaker.Take(queue.Reader, batch, maxReports, maxRows);
            batches.Add(batch.Select(p => p.Report.Containers.Count).ToList());
        }

        return batches;
    }

    [Fact]
    public void Rows_bound_a_transaction_and_a_report_beyond_the_bound_goes_alone()
    {
        // 5 rows per report of 4 containers: two fit 12 rows, a third would not; the 30-container report (31 rows) alone.
        var batches = TakeAll([4, 4, 4, 4, 30, 4, 1], maxReports: 500, maxRows: 12);
        Assert.Equal([[4, 4], [4, 4], [30], [4, 1]], batches);
        Assert.All(batches.Where(b => b.Count > 1), b => Assert.True(b.Sum(c => c + 1) <= 12));
    }

    [Fact]
    public void Reports_bound_a_transaction_as_before()
    {
        Assert.Equal([[1, 1, 1], [1, 1]], TakeAll([1, 1, 1, 1, 1], maxReports: 3, maxRows: 10_000));
    }
}
