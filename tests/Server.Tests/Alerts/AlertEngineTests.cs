using StackScope.Server.Alerts;

namespace StackScope.Server.Tests.Alerts;

/// <summary>The state machine on sample time: hysteresis, durations, lifecycle events, flapping, backfill, silences, absence.</summary>
public sealed class AlertEngineTests
{
    private static readonly DateTime T0 = new(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
    private const string Agent = "host-1";

    private static AlertEngine Engine(params string[] yaml)
    {
        var engine = new AlertEngine(new AlertOptions { FlapThreshold = 4, FlapWindowMinutes = 30, FlapSettleMinutes = 10, BackfillAfterSeconds = 60 });
        engine.SetRules(yaml.Select(RuleParser.ParseOne));
        return engine;
    }

    private static AgentSample Sample(DateTime at, double memory = 50, DateTime? received = null, params ContainerPoint[] containers) =>
        new(new HostPoint(at, received ?? at.AddSeconds(1), 10, memory), containers, []);

    private static ContainerPoint Running(string name, string status = "running") => new(name, status, 1, 1, 1);

    private static IReadOnlyList<AlertOutcome> Feed(AlertEngine engine, AgentSample sample, params EventPoint[] events) =>
        engine.Process(Agent, [sample], events, sample.Host.ReceivedAt);

    private static EventPoint Event(string container, string action, DateTime at, int? code = null) =>
        new(0, container, action, at, at.AddSeconds(1)) { ExitCode = code };

    private static List<string> Told(IEnumerable<AlertOutcome> outcomes) => outcomes.Where(o => o.Notify).Select(o => o.Kind).ToList();

    [Fact]
    public void A_metric_fires_after_its_duration_holds_until_the_clear_value_and_resolves_with_peak_and_start()
    {
        var engine = Engine("{name: mem, kind: metric, metric: host.memory_percent, threshold: 90, clear: 85, for: 60s}");
        var told = new List<AlertOutcome>();
        double[] values = [95, 97, 92, 99, 91, 88, 86, 84];
        for (var i = 0; i < values.Length; i++)
        {
            told.AddRange(Feed(engine, Sample(T0.AddSeconds(30 * i), values[i])).Where(o => o.Notify));
        }

        Assert.Equal(["fired", "resolved"], told.Select(o => o.Kind));
        Assert.Equal(T0.AddSeconds(60), told[0].At); // the third sample: 60 s after the condition began
        Assert.Equal(T0, told[0].Since);
        Assert.Equal(T0.AddSeconds(210), told[1].At); // 88 and 86 stay above the clear value 85
        Assert.Equal(99, told[1].Peak);
        Assert.Equal(T0, told[1].Since);
    }

    [Fact]
    public void A_condition_shorter_than_the_duration_never_fires()
    {
        var engine = Engine("{name: mem, kind: metric, metric: host.memory_percent, threshold: 90, for: 60s}");
        var told = new List<AlertOutcome>();
        foreach (var (at, value) in new[] { (0, 95.0), (30, 96), (50, 80), (80, 95), (110, 95) })
        {
            told.AddRange(Feed(engine, Sample(T0.AddSeconds(at), value)));
        }

        Assert.DoesNotContain(told, o => o.Kind == "fired");
    }

    [Fact]
    public void The_window_averages_samples_before_comparing()
    {
        var engine = Engine("{name: mem, kind: metric, metric: host.memory_percent, threshold: 80, window: 60s, aggregate: avg}");
        var fired = new List<DateTime>();
        foreach (var (at, value) in new[] { (0, 50.0), (20, 100), (40, 100), (90, 100) })
        {
            fired.AddRange(Feed(engine, Sample(T0.AddSeconds(at), value)).Where(o => o.Kind == "fired").Select(o => o.At));
        }

        // 50 -> 75 -> 83.3: fires at the third sample, not at the first 100.
        Assert.Equal([T0.AddSeconds(40)], fired);
    }

    [Fact]
    public void Rules_on_one_metric_and_window_share_it_and_a_rule_with_another_window_keeps_its_own()
    {
        var engine = Engine(
            "{name: avg-1m, kind: metric, metric: host.memory_percent, threshold: 80, window: 60s, aggregate: avg}",
            "{name: max-1m, kind: metric, metric: host.memory_percent, threshold: 99, window: 60s, aggregate: max}",
            "{name: avg-2m, kind: metric, metric: host.memory_percent, threshold: 90, window: 120s, aggregate: avg}");
        var fired = new List<(string, DateTime)>();
        foreach (var (at, value) in new[] { (0, 50.0), (20, 100), (40, 100), (90, 100), (100, 100) })
        {
            fired.AddRange(Feed(engine, Sample(T0.AddSeconds(at), value)).Where(o => o.Kind == "fired").Select(o => (o.Rule.Name, o.At)));
        }

        // avg-1m: 50, 75, 83.3 (fires at 40 s); max-1m: 100 at 20 s; avg-2m keeps all five samples: 87.5 at 90 s (the
        // 1-minute window's 100 would have fired it there), 90 at 100 s.
        Assert.Equal([("max-1m", T0.AddSeconds(20)), ("avg-1m", T0.AddSeconds(40)), ("avg-2m", T0.AddSeconds(100))], fired);
    }

    [Fact]
    public void A_non_zero_exit_fires_and_the_next_start_resolves_but_a_requested_stop_and_an_oom_do_not_count_as_exits()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}", "{name: oom, kind: state, condition: oom_killed}");
        var told = Feed(engine, Sample(T0.AddSeconds(2), 50, null, Running("web", "exited")), Event("web", "die", T0.AddSeconds(1), 3));
        Assert.Equal(["fired"], Told(told));
        Assert.Contains("exited with code 3", told[0].Summary, StringComparison.Ordinal);
        Assert.Equal(["resolved"], Told(Feed(engine, Sample(T0.AddSeconds(10), 50, null, Running("web")), Event("web", "start", T0.AddSeconds(9)))));

        // docker stop: kill (SIGTERM), die 143 -> not a failure.
        Assert.Empty(Feed(engine, Sample(T0.AddSeconds(20), 50, null, Running("web", "exited")),
            Event("web", "kill", T0.AddSeconds(18)), Event("web", "die", T0.AddSeconds(19), 143)));

        // An OOM kill: the oom rule fires, the exit rule does not (137 after oom).
        var oom = Feed(engine, Sample(T0.AddSeconds(30), 50, null, Running("web", "exited")),
            Event("web", "start", T0.AddSeconds(25)), Event("web", "oom", T0.AddSeconds(28)), Event("web", "die", T0.AddSeconds(28), 137));
        Assert.Equal(["fired"], Told(oom));
        Assert.Equal("oom", oom.Single(o => o.Notify).Rule.Name);

        // Removed (its destroy event): resolved.
        Assert.Equal(["resolved"], Told(Feed(engine, Sample(T0.AddSeconds(40), 50, null, Running("db")), Event("web", "destroy", T0.AddSeconds(39)))));
    }

    [Fact]
    public void A_target_that_changes_state_four_times_sends_one_flapping_notice_and_one_when_it_settles()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        var told = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var at = T0.AddSeconds(20 * i);
            told.AddRange(Told(Feed(engine, Sample(at.AddSeconds(5), 50, null, Running("web", "exited")), Event("web", "die", at, 1))));
            told.AddRange(Told(Feed(engine, Sample(at.AddSeconds(15), 50, null, Running("web")), Event("web", "start", at.AddSeconds(10)))));
        }

        Assert.Equal(["fired", "resolved", "fired", "flapping"], told);
        var later = Told(Feed(engine, Sample(T0.AddMinutes(15), 50, null, Running("web"))));
        Assert.Equal(["settled"], later);
    }

    [Fact]
    public void A_sample_of_the_exits_own_second_that_still_saw_it_running_does_not_resolve_it()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        // The die at 12:00:05.6 and the sample taken at 12:00:05.2 both carry 12:00:05 on the wire; the event comes first.
        var told = Told(engine.Process(Agent, [Sample(T0.AddSeconds(4), 50, null, Running("web")), Sample(T0.AddSeconds(5), 50, null, Running("web"))],
            [Event("web", "die", T0.AddSeconds(5), 5)], T0.AddSeconds(6)));
        Assert.Equal(["fired"], told);
        Assert.Empty(Told(Feed(engine, Sample(T0.AddSeconds(6), 50, null, Running("web", "exited")))));
        // Seen running a second later without a start event (missed): it runs again.
        Assert.Equal(["resolved"], Told(Feed(engine, Sample(T0.AddSeconds(7), 50, null, Running("web")))));
    }

    [Fact]
    public void A_container_missing_from_a_report_whose_other_engine_could_not_be_read_is_not_taken_for_removed()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        Assert.Equal(["fired"], Told(Feed(engine, Sample(T0, 50, null, Running("web", "exited"), Running("db")), Event("web", "die", T0.AddSeconds(-1), 3))));

        // Podman away: only Docker's "db" is in the report, and the report says so.
        var partial = Sample(T0.AddSeconds(10), 50, null, Running("db"));
        Assert.Empty(Told(Feed(engine, partial with { Host = partial.Host with { EngineUnread = true } })));
        // Both engines read, "web" still missing: it was removed.
        Assert.Equal(["resolved"], Told(Feed(engine, Sample(T0.AddSeconds(20), 50, null, Running("db")))));
    }

    [Fact]
    public void Late_samples_change_state_quietly_and_are_told_in_one_backfill_summary_once_the_agent_caught_up()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        var now = T0.AddMinutes(10);
        var late = engine.Process(Agent,
            [Sample(T0, 50, now, Running("web")), Sample(T0.AddSeconds(10), 50, now, Running("web", "exited"))],
            [new EventPoint(1, "web", "die", T0.AddSeconds(5), now) { ExitCode = 2 }], now);
        Assert.Empty(Told(late));
        Assert.True(Assert.Single(late).Backfilled);
        Assert.Empty(engine.TakeBackfills(now));

        engine.Process(Agent, [Sample(now, 50, now.AddSeconds(1), Running("web", "exited"))], [], now);
        var summary = Assert.Single(engine.TakeBackfills(now));
        Assert.Equal(Agent, summary.AgentId);
        Assert.Equal("exited", Assert.Single(summary.Items).Rule.Name);
    }

    [Fact]
    public void Restarts_counted_within_the_window_fire_a_restart_loop()
    {
        var engine = Engine("{name: loop, kind: state, condition: restart_loop, count: 3, within: 60s}");
        var told = new List<string>();
        for (var i = 0; i <= 4; i++)
        {
            told.AddRange(Told(Feed(engine, Sample(T0.AddSeconds(10 * i), 50, null, Running("web") with { RestartCount = i }))));
        }

        Assert.Equal(["fired"], told); // three restarts by the fourth sample
        for (var i = 5; i < 12; i++)
        {
            told.AddRange(Told(Feed(engine, Sample(T0.AddSeconds(10 * i), 50, null, Running("web") with { RestartCount = 4 }))));
        }

        Assert.Equal(["fired", "resolved"], told);
    }

    [Fact]
    public void A_container_that_appeared_between_samples_counts_its_restarts_from_none_one_there_from_the_start_from_its_first_count()
    {
        var engine = Engine("{name: loop, kind: state, condition: restart_loop, count: 3, within: 60s}");
        // There when the evaluator first saw the agent: 7 restarts of unknown age, only a base.
        Assert.Empty(Told(Feed(engine, Sample(T0, 50, null, Running("old") with { RestartCount = 7 }))));
        // New since that sample, and already restarted three times: told now, not at a fourth restart.
        var told = Feed(engine, Sample(T0.AddSeconds(10), 50, null, Running("old") with { RestartCount = 7 }, Running("new") with { RestartCount = 3 }));
        Assert.Equal(["fired"], Told(told));
        Assert.Equal("loop", Assert.Single(told).Rule.Name);
        Assert.EndsWith("/new", Assert.Single(told).State.Target, StringComparison.Ordinal);

        // After a report that could not list the engine, a container seen again is not taken for a new one.
        var other = Engine("{name: loop, kind: state, condition: restart_loop, count: 3, within: 60s}");
        Assert.Empty(Told(Feed(other, Sample(T0, 50, null, Running("a")))));
        var unread = Sample(T0.AddSeconds(10), 50, null, Running("a"));
        Assert.Empty(Told(Feed(other, unread with { Host = unread.Host with { EngineUnread = true } })));
        Assert.Empty(Told(Feed(other, Sample(T0.AddSeconds(20), 50, null, Running("a"), Running("b") with { RestartCount = 5 }))));
    }

    [Fact]
    public void Scope_labels_opt_out_and_threshold_overrides_apply_per_container()
    {
        var engine = Engine("{name: cmem, kind: metric, metric: container.memory_percent, threshold: 50, scope: {containers: ['db-*'], images: ['postgres:*']}}");
        ContainerPoint Db(string name, double memory, params (string, string)[] labels) =>
            new(name, "running", 1, memory, 1) { Image = "postgres:17", Labels = labels.ToDictionary(l => l.Item1, l => l.Item2) };
        var told = Feed(engine, Sample(T0, 50, null,
            Db("db-main", 60),
            Db("db-quiet", 90, ("stackscope.alert.ignore", "true")),
            Db("db-big", 60, ("stackscope.alert.cmem.threshold", "80")),
            Db("db-other-rule", 90, ("stackscope.alert.ignore", "something-else")),
            Running("web") with { MemoryPercent = 99 }));
        Assert.Equal(["host-1/db-main", "host-1/db-other-rule"], told.Where(o => o.Notify).Select(o => o.State.Target).Order());
    }

    [Fact]
    public void A_silence_keeps_notices_quiet_but_the_state_still_changes()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        engine.SetSilences([new AlertSilence(1, "host-*", "web", "*", T0, T0.AddMinutes(5), "deploy", "ops")]);
        var quiet = Feed(engine, Sample(T0.AddSeconds(2), 50, null, Running("web", "exited")), Event("web", "die", T0.AddSeconds(1), 1));
        Assert.Equal("fired", Assert.Single(quiet).Kind);
        Assert.False(quiet[0].Notify);
        // Its resolution is not told either: the firing never was.
        Assert.Empty(Told(Feed(engine, Sample(T0.AddMinutes(6), 50, null, Running("web")), Event("web", "start", T0.AddMinutes(6)))));
    }

    [Fact]
    public void An_agent_silent_past_three_intervals_fires_and_its_next_report_resolves_it()
    {
        var engine = Engine("{name: silent, kind: absence, floor: 30s}");
        var clock = new AgentClock(Agent, T0, T0, 10);
        Assert.Empty(engine.CheckAbsence([clock], T0.AddSeconds(30), T0.AddMinutes(-5)));
        Assert.Equal(["fired"], Told(engine.CheckAbsence([clock], T0.AddSeconds(31), T0.AddMinutes(-5))));
        Assert.Empty(engine.CheckAbsence([clock], T0.AddSeconds(60), T0.AddMinutes(-5)));
        var back = engine.CheckAbsence([clock with { LastReceivedAt = T0.AddSeconds(61) }], T0.AddSeconds(62), T0.AddMinutes(-5));
        Assert.Equal(["resolved"], Told(back));
        // A server that just started counts silence from its own start.
        var fresh = Engine("{name: silent, kind: absence, floor: 30s}");
        Assert.Empty(fresh.CheckAbsence([clock], T0.AddMinutes(10), T0.AddMinutes(9.9)));
    }

    [Fact]
    public void Containers_of_a_silent_agent_stay_quiet()
    {
        var engine = Engine("{name: silent, kind: absence, floor: 30s}", "{name: exited, kind: state, condition: exited_nonzero}");
        engine.CheckAbsence([new AgentClock(Agent, T0, T0, 10)], T0.AddMinutes(5), T0.AddMinutes(-5));
        var late = engine.Process(Agent, [Sample(T0.AddMinutes(5), 50, T0.AddMinutes(5), Running("web", "exited"))],
            [Event("web", "die", T0.AddMinutes(5), 1)], T0.AddMinutes(5));
        Assert.False(Assert.Single(late).Notify);
    }

    [Fact]
    public void A_report_without_containers_resolves_nothing_a_removal_does()
    {
        var engine = Engine("{name: exited, kind: state, condition: exited_nonzero}");
        Assert.Equal(["fired"], Told(Feed(engine, Sample(T0, 50, null, Running("web", "exited"), Running("db")), Event("web", "die", T0, 1))));
        Assert.Empty(Told(Feed(engine, Sample(T0.AddSeconds(10))))); // the engine could not be read
        Assert.Empty(Told(Feed(engine, Sample(T0.AddSeconds(20), 50, null, Running("web", "exited"), Running("db")))));
        Assert.Equal(["resolved"], Told(Feed(engine, Sample(T0.AddSeconds(30), 50, null, Running("db")))));
    }

    [Fact]
    public void A_firing_alert_with_a_repeat_interval_is_told_again_while_it_lasts()
    {
        var engine = Engine("{name: mem, kind: metric, metric: host.memory_percent, threshold: 90, repeat: 60s}");
        var told = new List<string>();
        for (var i = 0; i <= 13; i++)
        {
            told.AddRange(Told(Feed(engine, Sample(T0.AddSeconds(10 * i), 95))));
        }

        Assert.Equal(["fired", "repeat", "repeat"], told); // at 0 s, 60 s and 120 s
    }
}
