using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>The ingest contract, run once per storage provider (SQLite and MariaDB subclasses below).</summary>
public abstract class IngestSuite<TDatabase>(ServerFixture<TDatabase> fixture) : IClassFixture<ServerFixture<TDatabase>>
    where TDatabase : TestDatabase, new()
{
    private HttpClient Client => fixture.Server.Client;

    private TestDatabase Db => fixture.Database;

    [Fact]
    public async Task Seed_request_gets_the_seed_response_and_its_rows_read_back_equal()
    {
        var response = await Reports.PostAsync(Client, Reports.SeedRequest);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Reports.SeedResponse), JsonNode.Parse(body)), body);

        var seed = JsonNode.Parse(Reports.SeedRequest)!.AsObject();
        var server = Assert.Single(await Db.QueryAsync("SELECT * FROM server WHERE agent_id = 'agent_ss'"));
        Assert.Equal("docker", server["engine_type"]);
        Assert.Equal(1L, Convert.ToInt64(server["ser_cpu_count"], CultureInfo.InvariantCulture));
        foreach (var column in new[] { "ser_cpu_percent", "ser_memory_total", "ser_memory_used", "ser_memory_percent" })
        {
            Assert.Equal(seed[column]!.GetValue<double>(), Convert.ToDouble(server[column], CultureInfo.InvariantCulture));
        }

        Assert.Equal("2024-08-30 12:59:41", Wire(server["ser_get_datetime"]));
        Assert.NotNull(server["received_at"]);
        Assert.NotNull(server["id"]);

        var rows = await Db.QueryAsync("SELECT * FROM container WHERE agent_id = 'agent_ss' ORDER BY id");
        var expected = seed["container_stats"]!.AsArray();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var column in new[] { "engine_type", "agent_id", "node_name", "container_name", "status" })
            {
                Assert.Equal(expected[i]![column]!.GetValue<string>(), rows[i][column]);
            }

            foreach (var column in new[] { "con_cpu_percent", "con_memory_usage", "con_memory_percent" })
            {
                Assert.Equal(expected[i]![column]!.GetValue<double>(), Convert.ToDouble(rows[i][column], CultureInfo.InvariantCulture));
            }

            Assert.Equal("2024-08-30 12:59:41", Wire(rows[i]["con_get_datetime"]));
        }
    }

    [Fact]
    public async Task A_report_of_two_engines_stores_each_container_with_its_engine_and_the_engine_it_could_not_read()
    {
        var agent = Reports.NewAgentId();
        var report = Reports.Seed(agent);
        report["engine_types"] = new JsonArray("docker", "podman");
        report["unread_engines"] = new JsonArray("podman");
        var containers = report["container_stats"]!.AsArray();
        containers[1]!["engine_type"] = "podman";
        containers[1]!["container_name"] = containers[0]!["container_name"]!.GetValue<string>() + "@podman";

        var response = await Reports.PostAsync(Client, report);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var server = Assert.Single(await Db.QueryAsync("SELECT engine_type, engine_types, unread_engines FROM server WHERE agent_id = @a", ("a", agent)));
        Assert.Equal(("docker", "docker,podman", "podman"), ((string?)server["engine_type"], (string?)server["engine_types"], (string?)server["unread_engines"]));
        var engines = (await Db.QueryAsync("SELECT container_name, engine_type FROM container WHERE agent_id = @a", ("a", agent)))
            .ToDictionary(r => (string)r["container_name"]!, r => (string)r["engine_type"]!);
        Assert.Equal("podman", engines[containers[1]!["container_name"]!.GetValue<string>()]);
        Assert.Equal(containers.Count - 1, engines.Values.Count(e => e == "docker"));

        // The seed's single-engine report keeps both columns empty.
        var single = Reports.Seed(agent, DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, single)).StatusCode);
        Assert.Single(await Db.QueryAsync("SELECT * FROM server WHERE agent_id = @a AND engine_types IS NULL AND unread_engines IS NULL", ("a", agent)));
    }

    [Fact]
    public async Task Resending_a_stored_report_answers_200_and_adds_no_rows()
    {
        var agent = Reports.NewAgentId();
        var report = Reports.Seed(agent);

        for (var i = 0; i < 3; i++)
        {
            var response = await Reports.PostAsync(Client, report);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True((await Envelope.ReadAsync(response)).Success);
        }

        Assert.Equal(1, await Db.CountAsync("server", agent));
        Assert.Equal(4, await Db.CountAsync("container", agent));
    }

    [Fact]
    public async Task Two_samples_of_one_agent_are_two_reports()
    {
        var agent = Reports.NewAgentId();
        var first = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, Reports.Seed(agent, first))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, Reports.Seed(agent, first.AddSeconds(10)))).StatusCode);

        Assert.Equal(2, await Db.CountAsync("server", agent));
        Assert.Equal(8, await Db.CountAsync("container", agent));
    }

    [Fact]
    public async Task A_report_the_database_refuses_midway_leaves_no_row_behind()
    {
        var poison = "poison" + Guid.NewGuid().ToString("N")[..8];
        await Db.ExecuteAsync(Db.PoisonTriggerSql(poison));
        var agent = Reports.NewAgentId();
        var report = Reports.Seed(agent);
        // The poisoned container comes last, so the server row and three container rows are written before it fails.
        report["container_stats"]!.AsArray()[3]!["container_name"] = poison;

        var response = await Reports.PostAsync(Client, report);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(ResultCodes.InternalError, (await Envelope.ReadAsync(response)).ResultCode);
        Assert.Equal(0, await Db.CountAsync("server", agent));
        Assert.Equal(0, await Db.CountAsync("container", agent));

        // The server carries on: the next good report is stored.
        var good = Reports.NewAgentId();
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, Reports.Seed(good))).StatusCode);
        Assert.Equal(1, await Db.CountAsync("server", good));
    }

    [Fact]
    public async Task Two_hundred_concurrent_reports_sent_twice_are_all_stored_exactly_once()
    {
        var prefix = "conc" + Guid.NewGuid().ToString("N")[..8];
        var start = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var bodies = Enumerable.Range(0, 200)
            .Select(i => Reports.Seed($"{prefix}-{i % 20}", start.AddSeconds(10 * (i / 20))).ToJsonString())
            .ToList();

        // Every report twice, all at once: duplicates race each other inside and across batches.
        var responses = await Task.WhenAll(bodies.Concat(bodies).Select(b => Reports.PostAsync(Client, b)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var servers = await Db.QueryAsync("SELECT agent_id, ser_get_datetime FROM server WHERE agent_id LIKE @p", ("@p", prefix + "-%"));
        Assert.Equal(200, servers.Count);
        Assert.Equal(200, servers.Select(r => $"{r["agent_id"]}|{Wire(r["ser_get_datetime"])}").Distinct().Count());
        var containers = await Db.QueryAsync("SELECT COUNT(*) AS n FROM container WHERE agent_id LIKE @p", ("@p", prefix + "-%"));
        Assert.Equal(800L, Convert.ToInt64(containers[0]["n"], CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(InvalidReports.Names), MemberType = typeof(InvalidReports))]
    public async Task Invalid_report_is_refused_with_the_field_named_and_nothing_stored(string caseName)
    {
        var invalid = InvalidReports.All[caseName];
        var agent = Reports.NewAgentId();
        var report = Reports.Seed(agent);
        invalid.Break(report);
        var before = (await Db.CountAllAsync("server"), await Db.CountAllAsync("container"));

        var response = await Reports.PostAsync(Client, report);

        await Envelope.AssertErrorAsync(response, HttpStatusCode.BadRequest, invalid.ResultCode, invalid.MessageFragment);
        Assert.Equal(before, (await Db.CountAllAsync("server"), await Db.CountAllAsync("container")));
    }

    [Theory]
    [MemberData(nameof(BadBodies.All), MemberType = typeof(BadBodies))]
    public async Task Bad_body_is_refused_in_the_envelope(string caseName, string contentType, string body, int status, string resultCode)
    {
        Assert.NotEmpty(caseName);
        var before = await Db.CountAllAsync("server");
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await Client.PostAsync("/api/v1/monitor-info", content);

        await Envelope.AssertErrorAsync(response, (HttpStatusCode)status, resultCode, "");
        Assert.Equal(before, await Db.CountAllAsync("server"));
    }

    [Fact]
    public async Task Invalid_utf8_is_malformed_json()
    {
        var bytes = Encoding.UTF8.GetBytes(Reports.Seed(Reports.NewAgentId()).ToJsonString().Replace("ss-agent", "ss-ag\u00e9nt", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at + 1] = 0x28; // breaks the two-byte sequence
        using var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        var response = await Client.PostAsync("/api/v1/monitor-info", content);

        await Envelope.AssertErrorAsync(response, HttpStatusCode.BadRequest, ResultCodes.MalformedJson, "body: malformed JSON");
    }

    [Fact]
    public async Task Missing_content_type_is_415()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Reports.SeedRequest));
        var response = await Client.PostAsync("/api/v1/monitor-info", content);
        await Envelope.AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, ResultCodes.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_declared_or_streamed()
    {
        var before = await Db.CountAllAsync("server");
        var huge = Reports.Seed(Reports.NewAgentId());
        huge["padding"] = new string('x', (1024 * 1024) + 10);
        var body = Encoding.UTF8.GetBytes(huge.ToJsonString());

        using var declared = new ByteArrayContent(body);
        declared.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        await Envelope.AssertErrorAsync(await Client.PostAsync("/api/v1/monitor-info", declared),
            HttpStatusCode.RequestEntityTooLarge, ResultCodes.PayloadTooLarge, "larger than the limit of 1048576 bytes");

        // Chunked: no Content-Length, so the limit is enforced while reading.
        using var streamed = new StreamContent(new MemoryStream(body));
        streamed.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        await Envelope.AssertErrorAsync(await Client.SendAsync(request),
            HttpStatusCode.RequestEntityTooLarge, ResultCodes.PayloadTooLarge, "larger than the limit");

        Assert.Equal(before, await Db.CountAllAsync("server"));
    }

    [Fact]
    public async Task Unknown_fields_are_ignored_for_forward_compatibility()
    {
        var agent = Reports.NewAgentId();
        var report = Reports.Seed(agent);
        report["ser_disk_percent"] = 12.5;
        report["container_stats"]!.AsArray()[0]!["con_net_rx"] = 1;

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, report)).StatusCode);
        Assert.Equal(1, await Db.CountAsync("server", agent));
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_answer_in_the_envelope()
    {
        await Envelope.AssertErrorAsync(await Client.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound, ResultCodes.NotFound, "/api/v1/nothing-here");
        await Envelope.AssertErrorAsync(await Client.GetAsync("/api/v1/monitor-info"), HttpStatusCode.MethodNotAllowed, ResultCodes.MethodNotAllowed, "GET");
    }

    [Fact]
    public async Task Health_and_readiness_answer_ok()
    {
        var live = await Client.GetAsync("/healthz");
        var ready = await Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True((await Envelope.ReadAsync(live)).Success);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True((await Envelope.ReadAsync(ready)).Success);
    }

    [Fact]
    public async Task Names_that_differ_only_in_case_or_spaces_inside_are_kept_apart()
    {
        var agent = Reports.NewAgentId();
        string[] names = ["web", "Web", " web", "w eb", "a%2Fb"];
        var report = Reports.WithContainerNames(Reports.Seed(agent), names);

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, report)).StatusCode);

        var stored = (await Db.QueryAsync("SELECT container_name FROM container WHERE agent_id = @a", ("@a", agent)))
            .Select(r => (string)r["container_name"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), stored);
    }

    [Fact]
    public async Task A_containers_history_spans_every_node_it_was_reported_from_and_an_unknown_name_is_404()
    {
        var agent = Reports.NewAgentId();
        var t0 = WireTimestamp.Truncate(DateTime.UtcNow.AddMinutes(-10));
        for (var i = 0; i < 4; i++)
        {
            var report = Reports.Seed(agent, t0.AddSeconds(10 * i));
            foreach (var container in report["container_stats"]!.AsArray())
            {
                container!["node_name"] = i < 2 ? "node-a" : "node-b";
            }

            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, report)).StatusCode);
        }

        var range = $"from={t0.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}&to={t0.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}&step=60";
        var history = JsonNode.Parse(await Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/containers/redis-container/history?{range}", UriKind.Relative)))!;
        Assert.Equal(4, history["data"]!["points"]!.AsArray().Sum(p => (int)p!["samples"]!));
        var nodes = (await Db.QueryAsync("SELECT node_name FROM agent_node WHERE agent_id = @a ORDER BY node_name", ("@a", agent))).Select(r => (string)r["node_name"]!);
        Assert.Equal(["node-a", "node-b"], nodes);

        var unknown = await Client.GetAsync(new Uri($"/api/v1/agents/{agent}/containers/never-seen/history?{range}", UriKind.Relative));
        await Envelope.AssertErrorAsync(unknown, HttpStatusCode.NotFound, ResultCodes.UnknownAgent, "never reported a container 'never-seen'");
    }

    [Fact]
    public async Task Every_wire_field_is_stored_in_the_column_of_its_name()
    {
        var agent = Reports.NewAgentId();
        var report = Reports.Full(agent);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, report)).StatusCode);

        var server = Assert.Single(await Db.QueryAsync("SELECT * FROM server WHERE agent_id = @a", ("@a", agent)));
        Assert.All(WireContractTests.ReportFields, name => AssertStored(report[name]!, server[name]));
        var containers = await Db.QueryAsync("SELECT * FROM container WHERE agent_id = @a ORDER BY container_name", ("@a", agent));
        var sent = report["container_stats"]!.AsArray().OrderBy(c => c!["container_name"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        Assert.Equal(sent.Count, containers.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            var row = containers[i];
            Assert.All(WireContractTests.ContainerFields, name => AssertStored(sent[i]![name]!, row[name]));
        }

        var fileSystems = await Db.QueryAsync("SELECT * FROM server_filesystem WHERE agent_id = @a ORDER BY mount_point", ("@a", agent));
        Assert.Equal(2, fileSystems.Count);
        for (var i = 0; i < fileSystems.Count; i++)
        {
            Assert.Equal((string)report["ser_get_datetime"]!, Wire(fileSystems[i]["ser_get_datetime"]));
            Assert.All(WireContractTests.FileSystemFields, name => AssertStored(report["ser_filesystems"]![i]![name]!, fileSystems[i][name]));
        }

        var events = await Db.QueryAsync("SELECT * FROM container_event WHERE agent_id = @a ORDER BY container_id", ("@a", agent));
        Assert.Equal(report["container_events"]!.AsArray().Count, events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.All(WireContractTests.EventFields, name => AssertStored(report["container_events"]![i]![name]!, events[i][name]));
        }
    }

    // MariaDB takes a batch's rows by bulk load (tab-separated text, backslash escapes, \N for NULL): text that holds its
    // escapes must come back as sent. Control characters are refused by validation before (labels, names).
    [Fact]
    public async Task Text_with_backslashes_quotes_and_emoji_is_stored_exactly()
    {
        var agent = Reports.NewAgentId();
        var report = Reports.Full(agent);
        var tricky = new JsonObject
        {
            ["backslash"] = "C:\\path\\N",
            ["quotes"] = "it's \"quoted\" `ticked`",
            ["emoji"] = "rocket \U0001F680 and \u00e9",
            ["null-word"] = "\\N",
        };
        foreach (var container in report["container_stats"]!.AsArray())
        {
            container!["labels"] = tricky.DeepClone();
        }

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, report)).StatusCode);

        var labels = await Db.QueryAsync("SELECT labels FROM container WHERE agent_id = @a", ("@a", agent));
        Assert.Equal(report["container_stats"]!.AsArray().Count, labels.Count);
        Assert.All(labels, row => AssertStored(tricky, row["labels"]));
    }

    [Fact]
    public async Task The_query_api_returns_the_added_figures_file_systems_and_events()
    {
        var agent = Reports.NewAgentId();
        var t0 = WireTimestamp.Truncate(DateTime.UtcNow.AddMinutes(-5));
        var full = Reports.Full(agent, t0);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, full)).StatusCode);

        var containers = JsonNode.Parse(await Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/containers", UriKind.Relative)))!["data"]!.AsArray();
        var sent = full["container_stats"]!.AsArray().Single(c => (string)c!["container_name"]! == (string)containers[1]!["containerName"]!)!;
        var view = containers[1]!;
        Assert.Equal((string)sent["container_id"]!, (string)view["containerId"]!);
        Assert.Equal((string)sent["image"]!, (string)view["image"]!);
        Assert.Equal((long)sent["con_net_rx_bytes"]!, (long)view["netRxBytes"]!);
        Assert.Equal((long)sent["con_block_write_bytes"]!, (long)view["blockWriteBytes"]!);
        Assert.Equal((long)sent["con_memory_limit"]!, (long)view["memoryLimitBytes"]!);
        Assert.Equal((int)sent["con_pids"]!, (int)view["pids"]!);
        Assert.Equal((string)sent["health"]!, (string)view["health"]!);
        Assert.Equal((int)sent["restart_count"]!, (int)view["restartCount"]!);
        Assert.Equal((bool)sent["oom_killed"]!, (bool)view["oomKilled"]!);
        Assert.Equal(137, (int)view["exitCode"]!);
        Assert.Equal(t0.AddHours(-1), ((DateTime)view["startedAt"]!).ToUniversalTime());

        var agents = JsonNode.Parse(await Client.GetStringAsync(new Uri("/api/v1/agents?size=200", UriKind.Relative)))!["data"]!.AsArray();
        var mine = agents.SingleOrDefault(a => (string)a!["agentId"]! == agent);
        if (mine is not null)
        {
            Assert.Equal(0.52, (double)mine["load1"]!);
            Assert.Equal(12.0, (double)mine["swapUsedMiB"]!);
            Assert.Equal(123_456_789_012L, (long)mine["netRxBytes"]!);
        }

        var fileSystems = JsonNode.Parse(await Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/filesystems", UriKind.Relative)))!["data"]!;
        Assert.Equal(["/", "/var/lib/data"], fileSystems["fileSystems"]!.AsArray().Select(f => (string)f!["mountPoint"]!));
        Assert.Equal(8.07, (double)fileSystems["fileSystems"]![0]!["usedPercent"]!);

        var range = $"from={t0.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}&to={t0.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}";
        var all = JsonNode.Parse(await Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/events?{range}", UriKind.Relative)))!;
        Assert.Equal(4, (int)all["pageInfo"]!["totalCount"]!);
        var times = all["data"]!.AsArray().Select(e => (long)e!["timeNano"]!).ToList();
        Assert.Equal(times.OrderDescending(), times); // newest first
        var name = (string)full["container_events"]![0]!["container_name"]!;
        var one = JsonNode.Parse(await Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/events?container={Uri.EscapeDataString(name)}&{range}", UriKind.Relative)))!;
        var e = Assert.Single(one["data"]!.AsArray())!;
        Assert.Equal("die", (string)e["action"]!);
        Assert.Equal(3, (int)e["exitCode"]!);
        Assert.Equal(9, (int)e["signal"]!);
        Assert.Equal("engine", (string)e["source"]!);
    }

    [Fact]
    public async Task The_seeds_report_without_the_added_fields_stores_them_as_null_and_a_resent_full_report_adds_nothing()
    {
        var agent = Reports.NewAgentId();
        var t0 = WireTimestamp.Truncate(DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, Reports.Seed(agent, t0))).StatusCode);
        var server = Assert.Single(await Db.QueryAsync("SELECT * FROM server WHERE agent_id = @a", ("@a", agent)));
        Assert.All(WireContractTests.ReportFields.Where(n => Reports.Seed(agent)[n] is null), name => Assert.True(server[name] is null or DBNull, name));
        var container = (await Db.QueryAsync("SELECT * FROM container WHERE agent_id = @a", ("@a", agent)))[0];
        Assert.All(WireContractTests.ContainerFields.Where(n => Reports.Seed(agent)["container_stats"]![0]![n] is null),
            name => Assert.True(container[name] is null or DBNull, name));

        var full = Reports.Full(agent, t0.AddSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, full)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, full)).StatusCode);
        Assert.Equal(2, await Db.CountAsync("server", agent));
        Assert.Equal(4, await Db.CountAsync("container_event", agent));
        Assert.Equal(2, await Db.CountAsync("server_filesystem", agent));

        // The same events in a later report (an agent resending after a crash) are still one row each.
        var later = Reports.Full(agent, t0.AddSeconds(20));
        later["container_events"] = full["container_events"]!.DeepClone();
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, later)).StatusCode);
        Assert.Equal(4, await Db.CountAsync("container_event", agent));
    }

    private static void AssertStored(JsonNode sent, object? stored)
    {
        if (sent.GetValueKind() == System.Text.Json.JsonValueKind.Object)
        {
            // Labels: kept as one JSON object per row.
            Assert.True(JsonNode.DeepEquals(sent, JsonNode.Parse((string)stored!)), $"stored {stored}, sent {sent.ToJsonString()}");
        }
        else if (sent is JsonArray words)
        {
            // Engine types: one column, comma-separated.
            Assert.Equal(string.Join(',', words.Select(w => w!.GetValue<string>())), (string?)stored);
        }
        else if (sent.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
        {
            Assert.Equal(sent.GetValue<bool>(), Convert.ToInt64(stored, CultureInfo.InvariantCulture) != 0);
        }
        else if (sent.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            Assert.Equal(double.Parse(sent.ToJsonString(), CultureInfo.InvariantCulture), Convert.ToDouble(stored, CultureInfo.InvariantCulture));
        }
        else
        {
            Assert.Equal(sent.GetValue<string>(), Wire(stored));
        }
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        var agent = Reports.NewAgentId();
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(Client, Reports.Seed(agent))).StatusCode);
        var versions = await Db.QueryAsync("SELECT version FROM schema_version");
        var store = StorageSet.Create(new StorageOptions { Provider = Db.Provider, ConnectionString = Db.ConnectionString }, Path.GetTempPath()).Migrator;

        await store.MigrateAsync(CancellationToken.None);
        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(versions.Count, (await Db.QueryAsync("SELECT version FROM schema_version")).Count);
        Assert.NotEmpty(versions);
        Assert.Equal(1, await Db.CountAsync("server", agent));
        Assert.Equal(4, await Db.CountAsync("container", agent));
    }

    private static string Wire(object? value) => value switch
    {
        DateTime time => WireTimestamp.ToWire(time),
        string text => text,
        _ => throw new InvalidOperationException($"unexpected stored text {value}"),
    };
}

public sealed class SqliteIngestTests(ServerFixture<SqliteTestDatabase> fixture) : IngestSuite<SqliteTestDatabase>(fixture);

public sealed class MariaDbIngestTests(ServerFixture<MariaDbTestDatabase> fixture) : IngestSuite<MariaDbTestDatabase>(fixture);
