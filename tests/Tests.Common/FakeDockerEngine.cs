using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StackScope.Tests.Common;

/// <summary>How a fake engine answers one container's stats call (or its container list).</summary>
public enum FakeAnswer
{
    Normal,
    NeverAnswers,
    TruncatedBody,
    InvalidJson,
    ServerError,
    NotFound,
}

/// <summary>One container the fake engine lists.</summary>
public sealed record FakeContainer(string Name, string State = "running", FakeAnswer Stats = FakeAnswer.Normal)
{
    public string Id { get; } = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Name)));
}

/// <summary>
/// A Docker Engine API stand-in on a unix socket, for the faults a real dockerd will not produce on demand:
/// stats that never answer, a body cut short, invalid JSON, a 500, a listed container whose stats 404. A
/// running container answering normally reports, per call n, CPU counters that make 50 % on 2 CPUs and
/// 100 MiB used of a 512 MiB limit with 20 MiB inactive file (so 80 MiB, 15.62 % as docker stats shows).
/// </summary>
public sealed class FakeDockerEngine : IAsyncDisposable
{
    public const double NormalCpuPercent = 50;
    public const double NormalMemoryMiB = 80;
    public const double NormalMemoryPercent = 15.62; // 15.625, half to even as docker stats shows it

    private readonly WebApplication _app;
    private readonly string _folder;
    private int _calls;

    private FakeDockerEngine(WebApplication app, string folder, string socket)
    {
        _app = app;
        _folder = folder;
        Host = "unix://" + socket;
    }

    /// <summary>The agent's <c>Agent:DockerHost</c>.</summary>
    public string Host { get; }

    public IReadOnlyList<FakeContainer> Containers { get; set; } = [];

    public FakeAnswer List { get; set; } = FakeAnswer.Normal;

    public static async Task<FakeDockerEngine> StartAsync(params FakeContainer[] containers)
    {
        var folder = Directory.CreateTempSubdirectory("ss-fake-docker-").FullName;
        var socket = Path.Combine(folder, "docker.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var engine = new FakeDockerEngine(app, folder, socket) { Containers = containers };
        app.MapGet("/containers/json", engine.ListAsync);
        app.MapGet("/containers/{id}/stats", engine.StatsAsync);
        await app.StartAsync();
        return engine;
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task ListAsync(HttpContext context)
    {
        var list = "[" + string.Join(',', Containers.Select(c => $$"""{"Id":"{{c.Id}}","Names":["/{{c.Name}}"],"State":"{{c.State}}"}""")) + "]";
        await AnswerAsync(context, List, list);
    }

    private async Task StatsAsync(HttpContext context, string id)
    {
        if (Containers.FirstOrDefault(c => c.Id == id) is not { } container)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var n = (ulong)Interlocked.Increment(ref _calls);
        var stats = string.Create(CultureInfo.InvariantCulture,
            $"{{\"cpu_stats\":{{\"cpu_usage\":{{\"total_usage\":{n * 2_500_000_000}}},\"system_cpu_usage\":{n * 10_000_000_000},\"online_cpus\":2}},") +
            string.Create(CultureInfo.InvariantCulture,
            $"\"memory_stats\":{{\"usage\":{100 * 1048576},\"limit\":{512 * 1048576},\"stats\":{{\"inactive_file\":{20 * 1048576}}}}}}}");
        await AnswerAsync(context, container.Stats, stats);
    }

    private static async Task AnswerAsync(HttpContext context, FakeAnswer answer, string normal)
    {
        switch (answer)
        {
            case FakeAnswer.Normal:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(normal);
                break;
            case FakeAnswer.NeverAnswers:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case FakeAnswer.TruncatedBody:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = normal.Length;
                await context.Response.WriteAsync(normal[..(normal.Length / 2)]);
                await context.Response.Body.FlushAsync();
                context.Abort();
                break;
            case FakeAnswer.InvalidJson:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"cpu_stats\": not json at all");
                break;
            case FakeAnswer.ServerError:
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync("{\"message\":\"engine failure\"}");
                break;
            case FakeAnswer.NotFound:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync("{\"message\":\"No such container\"}");
                break;
        }
    }
}
