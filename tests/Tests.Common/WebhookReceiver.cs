using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StackScope.Tests.Common;

/// <summary>
/// A webhook receiver on a loopback port, as an operator's would be: it records every POST body it accepts, in
/// arrival order. It can answer errors (<see cref="Failing"/>) or be stopped and started again on the same port,
/// to stand for a receiver that is down.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<(DateTime At, JsonNode Body, string? NoticeId)> _received = new();
    private readonly ConcurrentQueue<(string ContentType, string Text, IReadOnlyDictionary<string, string> Headers)> _raw = new();
    private WebApplication? _app;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>While true, every POST gets a 503 and is not recorded.</summary>
    public bool Failing { get; set; }

    /// <summary>A body this says yes to gets a 400, as a receiver answers a payload it can never take, and is not recorded.</summary>
    public Func<string, bool>? Refuses { get; set; }

    public int Attempts { get; private set; }

    public IReadOnlyList<(DateTime At, JsonNode Body, string? NoticeId)> Received => [.. _received];

    /// <summary>Every accepted POST as sent: content type, body text and headers (ntfy's are plain text).</summary>
    public IReadOnlyList<(string ContentType, string Text, IReadOnlyDictionary<string, string> Headers)> Raw => [.. _raw];

    /// <summary>The received StackScope notices (kind, rule, target...) in arrival order.</summary>
    public IReadOnlyList<JsonObject> Notices => _received.Select(r => r.Body.AsObject()).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver(Ports.Free());
        await receiver.StartListeningAsync();
        return receiver;
    }

    public async Task StartListeningAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            Attempts++;
            if (Failing)
            {
                return Results.StatusCode(503);
            }

            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync();
            var contentType = context.Request.ContentType ?? "";
            if (Refuses?.Invoke(text) == true)
            {
                return Results.BadRequest("invalid_payload");
            }

            _raw.Enqueue((contentType, text, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            if (contentType.StartsWith("application/json", StringComparison.Ordinal))
            {
                _received.Enqueue((DateTime.UtcNow, JsonNode.Parse(text)!, context.Request.Headers["X-StackScope-Notice-Id"].FirstOrDefault()));
            }

            return Results.Ok();
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopListeningAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until a notice matching <paramref name="match"/> arrived; returns it.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Notices.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no {what} within {timeout.TotalSeconds:0} s; received: {string.Join(" | ", Notices.Select(n => $"{n["kind"]} {n["rule"]} {n["target"]}"))}");
    }

    public static Func<JsonObject, bool> Is(string kind, string rule, string? target = null) =>
        n => (string?)n["kind"] == kind && (string?)n["rule"] == rule && (target is null || (string?)n["target"] == target);

    public async ValueTask DisposeAsync() => await StopListeningAsync();
}
