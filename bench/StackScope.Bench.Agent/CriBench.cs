using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Cri;
using StackScope.Tests.Common.Cri;

namespace StackScope.Bench.Agent;

/// <summary>The CRI engine's share of the agent benchmark: pods made as kubelet makes them, and its sampling cycle timed.</summary>
internal static class CriBench
{
    public static async Task<int> PodsAsync(string address, int count)
    {
        await OciImages.EnsureAsync(address);
        using var kubelet = new FakeKubelet(address);
        for (var i = 1; i <= count; i++)
        {
            var pod = await kubelet.RunPodAsync("bench", $"pod-{i}");
            await kubelet.StartContainerAsync(pod, "app", 0, ["sleep", "36000"]);
        }

        Console.WriteLine($"{count} pods running");
        return 0;
    }

    public static async Task<int> CycleAsync(string address, int rounds)
    {
        using var client = new CriClient(address, TimeSpan.FromSeconds(30));
        var engine = new CriEngine(client, new CgroupStatsReader("/sys/fs/cgroup", "/proc", []), "/proc", CriDialect.Containerd, NullLogger<CriEngine>.Instance);
        var first = Stopwatch.GetTimestamp();
        await engine.SampleAsync(CancellationToken.None); // the first cycle also asks every attempt's status
        var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
        var times = new List<double>();
        var running = 0;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            running = (await engine.SampleAsync(CancellationToken.None)).Count(s => s.State == "running" && s.Counters is not null);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var perCycle = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT approach=agent-cri-cgroup-files running={running} rounds={rounds} first_ms={firstMs:0} median_ms={times[times.Count / 2]:0.0} max_ms={times[^1]:0.0} allocated_kb_per_cycle={perCycle / 1024}"));
        return 0;
    }
}
