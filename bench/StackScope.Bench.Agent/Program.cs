using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StackScope.Agent;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Host;
using StackScope.Agent.Sampling;
using StackScope.Contracts;

// agent-bench cycle DOCKER_HOST [rounds] [files|api]
// Times one sampling cycle of every running container: the agent's way (concurrent one-shot stats)
// against the original's (each container's stats with stream=false, one after another).
// agent-bench pods CRI_HOST COUNT         makes COUNT pods of one sleeping container each, as kubelet would
// agent-bench cycle-cri CRI_HOST [rounds] times the CRI engine's sampling cycle (cgroup files)
if (args.Length >= 3 && args[0] == "pods")
{
    return await StackScope.Bench.Agent.CriBench.PodsAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}

if (args.Length >= 2 && args[0] == "cycle-cri")
{
    return await StackScope.Bench.Agent.CriBench.CycleAsync(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
}

if (args.Length < 2 || args[0] != "cycle")
{
    Console.Error.WriteLine("usage: agent-bench cycle unix:///path/docker.sock [rounds] | pods CRI_HOST COUNT | cycle-cri CRI_HOST [rounds]");
    return 2;
}

var dockerHost = args[1];
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
using var client = new DockerEngineClient(dockerHost);
// "api" as the fourth argument measures the Engine API path alone, which also times the original's approach;
// "files" (the default) reads the cgroup files.
var viaApi = args.Length > 3 && args[3] == "api";
var engine = new DockerEngine(client, viaApi ? null : new CgroupStatsReader("/sys/fs/cgroup", "/proc", DockerEngine.CgroupPathPatterns),
    TimeSpan.FromSeconds(30), NullLogger<DockerEngine>.Instance);
// The first cycle also inspects every container (lifecycle fields); later ones only those whose listed status
// changed or that an event named, so both are reported.
var first = Stopwatch.GetTimestamp();
await engine.SampleAsync(CancellationToken.None);
var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;

var times = new List<double>();
var count = 0;
var allocated = GC.GetTotalAllocatedBytes(precise: true);
for (var i = 0; i < rounds; i++)
{
    var started = Stopwatch.GetTimestamp();
    count = (await engine.SampleAsync(CancellationToken.None)).Count(r => r.State == "running");
    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
}

var allocatedPerCycle = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;

// Where the engine's share goes: the container list alone (HTTP and JSON), then the cgroup files of each running one.
var listAllocated = GC.GetTotalAllocatedBytes(precise: true);
var listed = new List<DockerContainerSummary>();
for (var i = 0; i < rounds; i++)
{
    listed = await client.ListContainersAsync(CancellationToken.None);
}

var listAllocatedPerCycle = (GC.GetTotalAllocatedBytes(precise: true) - listAllocated) / rounds;
var filesAllocatedPerCycle = 0L;
if (!viaApi)
{
    var reader = new CgroupStatsReader("/sys/fs/cgroup", "/proc", DockerEngine.CgroupPathPatterns);
    var running = listed.Where(c => c.State == "running").Select(c => c.Id).ToList();
    running.ForEach(id => reader.Read(id)); // opened once, as the agent keeps them
    var filesAllocated = GC.GetTotalAllocatedBytes(precise: true);
    for (var i = 0; i < rounds; i++)
    {
        running.ForEach(id => reader.Read(id));
    }

    filesAllocatedPerCycle = (GC.GetTotalAllocatedBytes(precise: true) - filesAllocated) / rounds;
}

// The whole report as the agent's cycle makes it (host, file systems, every container, its JSON), for allocations.
var sampler = new ReportSampler(new AgentOptions { AgentId = "bench", NodeName = "bench" }, new HostCollector("/proc"), new FileSystemCollector("/proc"),
    [engine], new ContainerFigures(), new CollectorGuard(NullLogger<CollectorGuard>.Instance), TimeProvider.System, NullLogger<ReportSampler>.Instance);
await sampler.PrimeAsync(CancellationToken.None);
var reportAllocated = GC.GetTotalAllocatedBytes(precise: true);
var reportBytes = 0;
for (var i = 0; i < rounds; i++)
{
    var sampled = await sampler.SampleAsync(CancellationToken.None);
    reportBytes = JsonSerializer.SerializeToUtf8Bytes(sampled!.Report, ContractsJsonContext.Default.MonitorReport).Length;
}

var reportAllocatedPerCycle = (GC.GetTotalAllocatedBytes(precise: true) - reportAllocated) / rounds;

times.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT approach=agent-{(viaApi ? "engine-api" : "cgroup-files")} running={count} rounds={rounds} first_ms={firstMs:0} median_ms={times[times.Count / 2]:0} max_ms={times[^1]:0} allocated_kb_per_cycle={allocatedPerCycle / 1024} (list={listAllocatedPerCycle / 1024} cgroup_files={filesAllocatedPerCycle / 1024}) whole_report_allocated_kb_per_cycle={reportAllocatedPerCycle / 1024} report_json_kb={reportBytes / 1024}"));

if (!viaApi)
{
    return 0;
}

// The original's approach, once: a blocking stats call per container, in sequence.
var socketPath = dockerHost["unix://".Length..];
using var http = new HttpClient(new SocketsHttpHandler
{
    ConnectCallback = async (_, ct) =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        return new NetworkStream(socket, ownsSocket: true);
    },
})
{ BaseAddress = new Uri("http://docker/"), Timeout = TimeSpan.FromMinutes(10) };
var ids = (await http.GetFromJsonAsync<List<Summary>>("containers/json"))!.Select(c => c.Id).ToList();
var sequential = Stopwatch.StartNew();
foreach (var id in ids)
{
    using var response = await http.GetAsync($"containers/{id}/stats?stream=false");
    await response.Content.ReadAsByteArrayAsync();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT approach=original-sequential running={ids.Count} rounds=1 median_ms={sequential.Elapsed.TotalMilliseconds:0} max_ms={sequential.Elapsed.TotalMilliseconds:0}"));
return 0;

internal sealed record Summary(string Id);
