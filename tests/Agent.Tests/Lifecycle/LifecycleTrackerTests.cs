using StackScope.Agent.Engines;
using StackScope.Agent.Lifecycle;
using StackScope.Contracts;

namespace StackScope.Agent.Tests;

public sealed class LifecycleTrackerTests : IDisposable
{
    private const long S = 1_000_000_000L;
    private const string Id = "c0ffee";
    private static readonly long T0 = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * S;
    private readonly string _dir = Directory.CreateTempSubdirectory("ss-lifecycle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private LifecycleStore Store => new(Path.Combine(_dir, "lifecycle.state"));

    private static ContainerSample Sample(long started, long finished, int exitCode = 0, bool oom = false, string? health = null, long healthAt = 0,
        string state = "running", long? oomKills = null) =>
        new(Id, "web", state, oomKills is null ? null : new ContainerCounters(null, default) { OomKills = oomKills })
        {
            Image = "app:1",
            Lifecycle = new ContainerLifecycle("app:1", health, healthAt, 0, exitCode, oom, started, finished, 1),
        };

    private static EngineEvent Event(string action, long at, int? exitCode = null, string? health = null) =>
        new(Id, "web", action, at, "app:1", exitCode, null, health);

    /// <summary>Plans and commits one report, as the sampling worker does once the report is spooled.</summary>
    private static IReadOnlyList<ContainerEvent> Report(LifecycleTracker tracker, long now, params ContainerSample[] samples)
    {
        var plan = tracker.Plan("docker", samples, now);
        tracker.Commit(plan);
        return plan.Events;
    }

    [Fact]
    public void A_first_start_sends_no_history_of_containers_that_were_already_there()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Assert.Empty(Report(tracker, T0 + S, Sample(started: T0 - 3600 * S, finished: T0 - 7200 * S, exitCode: 1)));
    }

    [Fact]
    public void A_stream_event_is_sent_once_with_its_exit_code_and_a_replay_of_it_is_dropped()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        var die = Event(ContainerActions.Die, T0 + (5 * S) + 123, exitCode: 3);
        tracker.Enqueue("docker", die);
        tracker.Enqueue("docker", die); // a replay while it was still waiting

        var sent = Report(tracker, T0 + (10 * S), Sample(T0 - 60 * S, T0 + (5 * S), exitCode: 3, state: "exited"));

        var e = Assert.Single(sent);
        Assert.Equal((ContainerActions.Die, 3, ContainerActions.SourceEngine, T0 + (5 * S) + 123, "node", "web"),
            (e.Action, e.ExitCode, e.Source, e.TimeNano, e.NodeName, e.ContainerName));
        Assert.Equal(WireTimestamp.Truncate(DateTime.UnixEpoch.AddSeconds((T0 / S) + 5)), e.OccurredAt);

        tracker.Enqueue("docker", die); // the engine's replay after a reconnect
        Assert.Empty(Report(tracker, T0 + (20 * S), Sample(T0 - 60 * S, T0 + (5 * S), exitCode: 3, state: "exited")));
    }

    [Fact]
    public void An_exit_the_stream_missed_is_reconstructed_once_and_its_late_stream_twin_is_dropped()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));

        var sent = Report(tracker, T0 + (30 * S), Sample(T0 - 60 * S, T0 + (10 * S), exitCode: 137, oom: true, state: "exited"));

        Assert.Equal([(ContainerActions.Die, 137), (ContainerActions.Oom, (int?)null)], sent.Select(e => (e.Action, e.ExitCode)));
        Assert.All(sent, e => Assert.Equal(ContainerActions.SourceReconciled, e.Source));
        Assert.All(sent, e => Assert.Equal(T0 + (10 * S), e.TimeNano));

        tracker.Enqueue("docker", Event(ContainerActions.Oom, T0 + (10 * S) - 2_000_000));
        tracker.Enqueue("docker", Event(ContainerActions.Die, T0 + (10 * S) + 3_000_000, exitCode: 137));
        Assert.Empty(Report(tracker, T0 + (40 * S), Sample(T0 - 60 * S, T0 + (10 * S), exitCode: 137, oom: true, state: "exited")));
    }

    [Fact]
    public void A_change_younger_than_the_grace_waits_for_its_stream_event()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        var exited = Sample(T0 - 60 * S, T0 + (10 * S), exitCode: 2, state: "exited");

        Assert.Empty(Report(tracker, T0 + (10 * S) + (S / 2), exited));
        tracker.Enqueue("docker", Event(ContainerActions.Die, T0 + (10 * S) + 1000, exitCode: 2));
        var e = Assert.Single(Report(tracker, T0 + (20 * S), exited));
        Assert.Equal(ContainerActions.SourceEngine, e.Source);
    }

    [Fact]
    public void An_oom_whose_stream_event_never_comes_is_reconstructed_after_the_grace_though_the_die_came()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        var killed = Sample(T0 - 60 * S, T0 + (10 * S), exitCode: 137, oom: true, state: "exited");
        tracker.Enqueue("docker", Event(ContainerActions.Die, T0 + (10 * S) + 1000, exitCode: 137));

        // Sampled just after the end: the die came by the stream, the oom (inspect says there was one) not yet.
        Assert.Equal([ContainerActions.Die], Report(tracker, T0 + (10 * S) + (S / 2), killed).Select(e => e.Action));
        // It never comes (the engine's stream lost it): reconstructed from inspect once the grace has passed, once.
        var oom = Assert.Single(Report(tracker, T0 + (20 * S), killed));
        Assert.Equal((ContainerActions.Oom, ContainerActions.SourceReconciled, T0 + (10 * S)), (oom.Action, oom.Source, oom.TimeNano));
        Assert.Empty(Report(tracker, T0 + (30 * S), killed));
    }

    [Fact]
    public void A_report_that_never_reached_the_spool_loses_nothing()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        tracker.Enqueue("docker", Event(ContainerActions.Kill, T0 + (2 * S)));

        var lost = tracker.Plan("docker", [Sample(T0 - 60 * S, T0 + (3 * S), exitCode: 143, state: "exited")], T0 + (10 * S));
        Assert.Equal(2, lost.Events.Count);

        var again = Report(tracker, T0 + (20 * S), Sample(T0 - 60 * S, T0 + (3 * S), exitCode: 143, state: "exited"));
        Assert.Equal(lost.Events.Select(e => (e.Action, e.TimeNano)), again.Select(e => (e.Action, e.TimeNano)));
    }

    [Fact]
    public void After_a_restart_what_happened_meanwhile_is_reconstructed_and_the_engines_replay_is_not_sent_again()
    {
        var before = new LifecycleTracker("node", Store, T0);
        Report(before, T0 + S, Sample(T0 - 60 * S, 0));
        before.Enqueue("docker", Event(ContainerActions.Pause, T0 + (2 * S)));
        Assert.Single(Report(before, T0 + (5 * S), Sample(T0 - 60 * S, 0, state: "paused")));

        // The agent is away from T0+5 s to T0+300 s; meanwhile the container restarted twice and now runs again.
        var after = new LifecycleTracker("node", Store, T0 + (300 * S));
        Assert.Equal(T0 + (2 * S), after.ResumeFrom("docker"));
        var restarted = Sample(T0 + (200 * S), T0 + (199 * S), exitCode: 1);
        var sent = Report(after, T0 + (301 * S), restarted);
        Assert.Equal([(ContainerActions.Start, T0 + (200 * S)), (ContainerActions.Die, T0 + (199 * S))],
            sent.Select(e => (e.Action, e.TimeNano)).OrderByDescending(e => e.Item1));

        // The engine replays from the cursor: the pause again, the first exit the reconciliation could not see, and
        // the twins of what was just reconstructed.
        after.Enqueue("docker", Event(ContainerActions.Pause, T0 + (2 * S)));
        after.Enqueue("docker", Event(ContainerActions.Die, T0 + (100 * S), exitCode: 1));
        after.Enqueue("docker", Event(ContainerActions.Start, T0 + (101 * S)));
        after.Enqueue("docker", Event(ContainerActions.Die, T0 + (199 * S) + 5_000_000, exitCode: 1));
        after.Enqueue("docker", Event(ContainerActions.Start, T0 + (200 * S) + 7_000_000));
        var replayed = Report(after, T0 + (310 * S), restarted);
        Assert.Equal([(ContainerActions.Die, T0 + (100 * S)), (ContainerActions.Start, T0 + (101 * S))], replayed.Select(e => (e.Action, e.TimeNano)));
    }

    [Fact]
    public void Health_is_an_event_when_it_changes_not_on_every_repeated_check()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0, health: ContainerHealth.Starting));
        tracker.Enqueue("docker", Event(ContainerActions.HealthStatus, T0 + (2 * S), health: ContainerHealth.Healthy));
        tracker.Enqueue("docker", Event(ContainerActions.HealthStatus, T0 + (3 * S), health: ContainerHealth.Healthy));
        var sent = Report(tracker, T0 + (10 * S), Sample(T0 - 60 * S, 0, health: ContainerHealth.Healthy, healthAt: T0 + (2 * S)));
        Assert.Equal([ContainerHealth.Healthy], sent.Select(e => e.Health));

        // Missed by the stream: reconstructed at the end of the check that turned it.
        var unhealthy = Report(tracker, T0 + (30 * S), Sample(T0 - 60 * S, 0, health: ContainerHealth.Unhealthy, healthAt: T0 + (20 * S)));
        var e = Assert.Single(unhealthy);
        Assert.Equal((ContainerActions.HealthStatus, ContainerHealth.Unhealthy, T0 + (20 * S), ContainerActions.SourceReconciled),
            (e.Action, e.Health, e.TimeNano, e.Source));
    }

    [Fact]
    public void A_rise_of_the_cgroup_oom_counter_is_an_oom_unless_the_stream_reported_one()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0, oomKills: 0));

        Assert.Empty(Report(tracker, T0 + (10 * S), Sample(T0 - 60 * S, 0, oomKills: 1))); // waits one sample for the stream
        var e = Assert.Single(Report(tracker, T0 + (20 * S), Sample(T0 - 60 * S, 0, oomKills: 1)));
        Assert.Equal((ContainerActions.Oom, T0 + (10 * S), ContainerActions.SourceReconciled), (e.Action, e.TimeNano, e.Source));

        tracker.Enqueue("docker", Event(ContainerActions.Oom, T0 + (25 * S)));
        var streamed = Report(tracker, T0 + (30 * S), Sample(T0 - 60 * S, 0, oomKills: 2));
        Assert.Equal([ContainerActions.SourceEngine], streamed.Select(x => x.Source));
        Assert.Empty(Report(tracker, T0 + (40 * S), Sample(T0 - 60 * S, 0, oomKills: 2)));
    }

    [Fact]
    public void A_report_carries_at_most_the_wires_limit_and_the_rest_follows()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        for (var i = 0; i < ContainerEvent.MaxPerReport + 5; i++)
        {
            tracker.Enqueue("docker", Event(ContainerActions.Kill, T0 + (2 * S) + i));
        }

        Assert.Equal(ContainerEvent.MaxPerReport, Report(tracker, T0 + (10 * S), Sample(T0 - 60 * S, 0)).Count);
        Assert.Equal(5, Report(tracker, T0 + (20 * S), Sample(T0 - 60 * S, 0)).Count);
    }

    [Fact]
    public void An_event_ahead_of_the_agents_clock_waits_with_those_after_it_rather_than_cost_the_report()
    {
        var tracker = new LifecycleTracker("node", Store, T0);
        Report(tracker, T0 + S, Sample(T0 - 60 * S, 0));
        tracker.Enqueue("docker", Event(ContainerActions.Pause, T0 + (600 * S)));
        tracker.Enqueue("docker", Event(ContainerActions.Unpause, T0 + (601 * S)));

        Assert.Empty(Report(tracker, T0 + (10 * S), Sample(T0 - 60 * S, 0)));
        Assert.Equal([ContainerActions.Pause, ContainerActions.Unpause], Report(tracker, T0 + (600 * S), Sample(T0 - 60 * S, 0)).Select(e => e.Action));
    }
}
