using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Delivery;

namespace StackScope.Agent.Tests;

public class SpoolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ss-spool-").FullName;
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private ReportSpool NewSpool(long maxBytes = 1 << 30, int maxAgeHours = 72, DateTime? now = null) =>
        new(_folder, maxBytes, TimeSpan.FromHours(maxAgeHours), new FakeTimeProvider(new DateTimeOffset(now ?? T0.AddMinutes(10))), NullLogger<ReportSpool>.Instance);

    [Fact]
    public void Oldest_sample_comes_first_whatever_the_write_order()
    {
        var spool = NewSpool();
        spool.Add(Bytes("b"), T0.AddSeconds(20));
        spool.Add(Bytes("a"), T0.AddSeconds(10));
        spool.Add(Bytes("c"), T0.AddSeconds(30));

        var seen = new List<string>();
        while (spool.Oldest() is { } next)
        {
            seen.Add(Encoding.UTF8.GetString(next.Body));
            spool.Remove(next.Path);
        }

        Assert.Equal(["a", "b", "c"], seen);
    }

    [Fact]
    public void Reports_survive_a_restart_and_half_written_files_do_not()
    {
        NewSpool().Add(Bytes("kept"), T0);
        File.WriteAllText(Path.Combine(_folder, "20260101000001-x.json.tmp"), "half");

        var reopened = NewSpool();

        Assert.Equal(1, reopened.Count);
        Assert.Equal("kept", Encoding.UTF8.GetString(reopened.Oldest()!.Value.Body));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void Size_bound_drops_the_oldest_and_counts_them()
    {
        var spool = NewSpool(maxBytes: 2500);
        for (var i = 0; i < 5; i++)
        {
            spool.Add(new byte[1000], T0.AddSeconds(i));
        }

        Assert.Equal(2, spool.Count);
        Assert.Equal(3, spool.DroppedCount);
        Assert.Contains("20260101000003", spool.Oldest()!.Value.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_being_sent_is_not_dropped_the_next_oldest_is()
    {
        var spool = NewSpool(maxBytes: 2500);
        spool.Add(new byte[1000], T0);
        spool.Add(new byte[1000], T0.AddSeconds(1));
        var sending = spool.Oldest()!.Value.Path;

        using (spool.Lease(sending))
        {
            spool.Add(new byte[1000], T0.AddSeconds(2)); // over the bound while the oldest is on the wire
            Assert.Equal(1, spool.DroppedCount);
            Assert.Equal(sending, spool.Oldest()!.Value.Path);
            Assert.Equal(2, spool.Count);
        }

        spool.Add(new byte[1000], T0.AddSeconds(3)); // no lease now: the oldest goes as usual
        Assert.Equal(2, spool.DroppedCount);
        Assert.Contains("20260101000002", spool.Oldest()!.Value.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Age_bound_drops_reports_older_than_allowed()
    {
        var spool = NewSpool(maxAgeHours: 1, now: T0.AddHours(2));
        spool.Add(Bytes("old"), T0);
        spool.Add(Bytes("new"), T0.AddHours(1).AddMinutes(30));

        Assert.Equal(1, spool.Count);
        Assert.Equal(1, spool.DroppedCount);
        Assert.Equal("new", Encoding.UTF8.GetString(spool.Oldest()!.Value.Body));
    }

    [Fact]
    public void Rejected_report_leaves_the_queue_but_is_kept_aside()
    {
        var spool = NewSpool();
        var path = spool.Add(Bytes("bad"), T0);

        spool.Reject(path);

        Assert.Null(spool.Oldest());
        Assert.Single(Directory.GetFiles(Path.Combine(_folder, "rejected")));
    }

    [Fact]
    public void Backoff_grows_to_a_cap_and_honours_Retry_After()
    {
        var backoff = new Backoff(new Random(1));
        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next(null)).ToList();

        Assert.InRange(delays[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(delays[3], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        Assert.All(delays, d => Assert.True(d <= TimeSpan.FromSeconds(60)));
        Assert.InRange(delays[^1], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        backoff.Reset();
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Next(TimeSpan.FromSeconds(5)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
