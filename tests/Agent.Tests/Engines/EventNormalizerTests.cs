using System.Text.Json;
using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Docker;

namespace StackScope.Agent.Tests;

public class EventNormalizerTests
{
    /// <summary>Recorded from dockerd 26 (Debian docker.io) while test containers exited, OOM'd, turned unhealthy, paused and restarted.</summary>
    private static List<EngineEvent> Recorded(string engine = "docker") => Fixture.Text(engine, "events.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonSerializer.Deserialize(line, DockerJsonContext.Default.DockerEvent)!)
        .Select(e => EventNormalizer.Normalize(e.Type, e.Action, e.Actor?.Id, e.TimeNano, e.Actor?.Attributes))
        .OfType<EngineEvent>().ToList();

    [Fact]
    public void Docker_events_keep_lifecycle_actions_and_drop_exec_noise()
    {
        var events = Recorded();
        Assert.DoesNotContain(events, e => e.Action.StartsWith("exec", StringComparison.Ordinal));
        Assert.All(events, e => Assert.Contains(e.Action, Contracts.ContainerActions.All));
        Assert.Contains(events, e => e.Action == "oom");
        Assert.Contains(events, e => e.Action == "pause");
        Assert.Contains(events, e => e.Action == "unpause");
    }

    [Fact]
    public void Docker_die_carries_the_exit_code_kill_the_signal_and_health_its_value()
    {
        var events = Recorded();
        Assert.Contains(events, e => e is { Action: "die", Name: "ev-exit3", ExitCode: 3 });
        Assert.Contains(events, e => e is { Action: "die", Name: "ev-oom3", ExitCode: 137 });
        Assert.Contains(events, e => e is { Action: "kill", Name: "ev-pause", Signal: 9 });
        Assert.Equal(["healthy", "unhealthy"], events.Where(e => e.Action == "health_status").Select(e => e.Health));
        Assert.True(events.Count(e => e is { Action: "die", Name: "ev-restart", ExitCode: 1 }) >= 2);
        Assert.All(events, e => Assert.Equal("ss-busybox:test", e.Image));
    }

    /// <summary>
    /// Recorded from Podman 4.3's Docker-compatible API service (Debian podman, scripts/podman.sh) while containers
    /// exited with 3, were OOM-killed, had health checks run, paused, were killed and removed.
    /// </summary>
    [Fact]
    public void Podman_events_from_its_compatible_api_normalize_to_the_same_actions()
    {
        var events = Recorded("podman");
        Assert.All(events, e => Assert.Contains(e.Action, Contracts.ContainerActions.All));
        Assert.DoesNotContain(events, e => e.Action.StartsWith("exec", StringComparison.Ordinal) || e.Action is "init" or "remove");
        Assert.Contains(events, e => e is { Action: "die", Name: "ev-exit3", ExitCode: 3 });
        Assert.Contains(events, e => e is { Action: "die", Name: "ev-oom3", ExitCode: 137 });
        // "remove" is Docker's "destroy".
        Assert.Equal(["ev-oom3", "ev-exit3", "ev-health"], events.Where(e => e.Action == "destroy").Select(e => e.Name));
        Assert.Equal(["pause", "unpause", "kill"], events.Where(e => e.Name == "ev-health" && e.Action is "pause" or "unpause" or "kill").Select(e => e.Action));
        // Podman 4.3 repeats a bare health_status on every check without its value: nothing to tell from it (the agent's
        // reconciliation reports the change it sees in inspect instead).
        Assert.DoesNotContain(events, e => e.Action == "health_status");
        Assert.All(events, e => Assert.Equal("localhost/ss-busybox:test", e.Image));
    }

    [Fact]
    public void Podmans_dialect_maps_to_the_same_actions()
    {
        var attributes = new Dictionary<string, string> { ["name"] = "web", ["image"] = "docker.io/library/nginx:latest", ["health_status"] = "unhealthy" };
        var health = EventNormalizer.Normalize("container", "health_status", "abc123", 1_700_000_000_000_000_001, attributes)!;
        Assert.Equal(("health_status", "unhealthy", "web"), (health.Action, health.Health, health.Name));

        var died = EventNormalizer.Normalize("container", "died", "abc123", 1_700_000_000_000_000_002,
            new Dictionary<string, string> { ["name"] = "web", ["containerExitCode"] = "1", ["exitCode"] = "1" })!;
        Assert.Equal(("die", 1), (died.Action, died.ExitCode));

        var killed = EventNormalizer.Normalize("container", "kill", "abc123", 1, new Dictionary<string, string> { ["signal"] = "SIGTERM" })!;
        Assert.Equal(15, killed.Signal);
        Assert.Null(EventNormalizer.Normalize("container", "health_status", "abc123", 1, new Dictionary<string, string> { ["health_status"] = "" }));
        Assert.Null(EventNormalizer.Normalize("image", "pull", "abc123", 1, null));
    }

    [Theory]
    [InlineData("2026-11-26T07:10:54.100484616Z", 1_795_677_054_100_484_616L)]
    [InlineData("2026-11-26T07:10:54Z", 1_795_677_054_000_000_000L)]
    [InlineData("2026-11-26T08:10:54.1+01:00", 1_795_677_054_100_000_000L)]
    [InlineData("0001-01-01T00:00:00Z", 0L)]
    [InlineData("", 0L)]
    [InlineData("garbage", 0L)]
    public void Engine_times_keep_their_nanoseconds(string text, long nanos) => Assert.Equal(nanos, EngineTime.ToUnixNanos(text));
}
