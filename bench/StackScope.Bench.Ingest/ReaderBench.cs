using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackScope.Contracts;

namespace StackScope.Bench.Ingest;

/// <summary>
/// The ingest endpoint's body reading alone (parse, field types, then the validator's rules; no HTTP, no storage): time
/// and allocations per report, for the load generator's reports (the original's fields) and for a current agent's
/// (every optional field).
/// </summary>
internal static class ReaderBench
{
    public static int Run(BenchArgs args)
    {
        var containers = (int)args.Number("containers", 10);
        var reports = (int)args.Number("reports", 200_000);
        var factory = new ReportFactory("reader", 1, containers);
        var validator = new StackScope.Server.Ingest.ReportValidator(
            Microsoft.Extensions.Options.Options.Create(new StackScope.Server.Ingest.IngestOptions()), new ReportClock());
        foreach (var (name, body) in new[] { ("original fields", factory.Next().Body), ("every field", FullReport(containers)) })
        {
            var sequence = new ReadOnlySequence<byte>(body);
            for (var i = 0; i < reports / 10; i++)
            {
                validator.Validate(StackScope.Server.Ingest.IngestEndpoints.Parse(sequence)); // JIT tiers and pools warm up
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < reports; i++)
            {
                validator.Validate(StackScope.Server.Ingest.IngestEndpoints.Parse(sequence));
            }

            clock.Stop();
            var perReport = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)reports;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT reader=\"{name}\" containers={containers} body_bytes={body.Length} us_per_report={clock.Elapsed.TotalMicroseconds / reports:0.00} allocated_bytes_per_report={perReport:0}"));
        }

        return 0;
    }

    private static byte[] FullReport(int count)
    {
        var time = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var containers = ReportFactory.Containers("agent-full", time, count, exitedEvery: 5).Select((c, i) => c with
        {
            ContainerId = $"{i:x4}f3a1c0de9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3",
            Image = "registry.example/app:1.4.2",
            NetRxBytes = 123_456_789 + i,
            NetTxBytes = 98_765_432 + i,
            BlockReadBytes = 4_096_000 + i,
            BlockWriteBytes = 8_192_000 + i,
            Pids = 12 + i,
            MemoryLimitBytes = 536_870_912,
            CpuUsageNanos = 987_654_321_000 + i,
            Health = "healthy",
            RestartCount = 0,
            ExitCode = c.Status == "exited" ? 0 : null,
            OomKilled = false,
            StartedAt = time.AddHours(-3),
            FinishedAt = c.Status == "exited" ? time.AddMinutes(-5) : null,
            Labels = new Dictionary<string, string>
            {
                ["com.docker.compose.project"] = "shop",
                ["com.docker.compose.service"] = $"app-{i}",
                ["stackscope.alert.ignore"] = "false",
            },
        }).ToList();
        return JsonSerializer.SerializeToUtf8Bytes(ReportFactory.Report("agent-full", time, containers) with
        {
            Load1 = 0.42,
            Load5 = 0.38,
            Load15 = 0.35,
            UptimeSeconds = 864_000,
            SwapTotalMiB = 1024,
            SwapUsedMiB = 12,
            NetRxBytes = 9_876_543_210,
            NetTxBytes = 1_234_567_890,
            FileSystems = [new FileSystemStat { MountPoint = "/", FsType = "ext4", TotalBytes = 100_000_000_000, UsedBytes = 40_000_000_000 }],
            EngineTypes = [EngineTypes.Docker],
        }, ContractsJsonContext.Default.MonitorReport);
    }

    // The reports' own day: the validator refuses samples from the future.
    private sealed class ReportClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2025, 1, 1, 0, 1, 0, TimeSpan.Zero);
    }
}
