using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// Over ten thousand generated malformed or hostile requests against ingest and query, from a fixed seed
/// (SS_FUZZ_SEED to vary it). Every answer is the envelope and never 5xx; what the generator knows to be invalid
/// gets a 4xx; afterwards the stored rows are exactly the valid reports, hostile names byte for byte.
/// </summary>
public abstract class FuzzSuite<TDatabase> where TDatabase : TestDatabase, new()
{
    private const int IngestCases = 7000;
    private const int QueryCases = 3500;

    private static readonly string[] Hostile =
    [
        "'; DROP TABLE server; --", "\" OR \"1\"=\"1", "1' UNION SELECT password_hash FROM app_user --", "`id`; SELECT SLEEP(5)",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "{{7*7}}", "${jndi:ldap://x}",
        "../../etc/passwd", "%00%0d%0a", "ü😀 中文", "\\u0000", "NULL", "Robert'); DROP TABLE container;--",
    ];

    private static readonly string[] ReportStrings = ["engine_type", "agent_id", "ser_get_datetime"];
    private static readonly string[] ReportNumbers = ["ser_cpu_count", "ser_cpu_percent", "ser_memory_total", "ser_memory_used", "ser_memory_percent"];
    private static readonly string[] ContainerStrings = ["engine_type", "agent_id", "node_name", "container_name", "status", "con_get_datetime"];
    private static readonly string[] ContainerNumbers = ["con_cpu_percent", "con_memory_usage", "con_memory_percent"];
    private static readonly string[] FreeText = ["node_name", "container_name"];

    private enum Expect
    {
        Stored,
        Refused,
        NoServerError,
    }

    private sealed record Case(string Kind, Expect Expect, Func<HttpRequestMessage> Build, string? Agent = null, string? Time = null, string? Name = null);

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_4xx_envelopes_and_exactly_the_valid_reports_are_stored()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261125;
        var random = new Random(seed);
        await using var database = new TDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            // The generator sends thousands of bad tokens on purpose; the throttle has its own test.
            ["Auth:MaxFailures"] = "1000000",
            ["Ingest:MaxBodyBytes"] = "262144",
        });
        var agents = Enumerable.Range(0, 8).Select(i => $"fuzz-{i}-{Guid.NewGuid():N}"[..24]).ToArray();
        var tokens = new Dictionary<string, string>();
        foreach (var agent in agents)
        {
            tokens[agent] = await server.Credentials.AgentTokenAsync(agent);
        }

        var readToken = await server.Credentials.ReadTokenAsync();
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var cases = new List<Case>();
        for (var i = 0; i < IngestCases; i++)
        {
            var agent = agents[random.Next(agents.Length)];
            var time = t0.AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            cases.Add(IngestCase(random, agent, time, tokens[agent], tokens[agents[(Array.IndexOf(agents, agent) + 1) % agents.Length]], readToken));
        }

        for (var i = 0; i < QueryCases; i++)
        {
            cases.Add(QueryCase(random, agents[random.Next(agents.Length)], readToken, tokens[agents[0]]));
        }

        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var stored = new ConcurrentBag<Case>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = c.Build();
            using var response = await server.RawClient.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync(ct);
            var envelope = TryEnvelope(response, body);
            var ok = envelope is not null && status < 500 && c.Expect switch
            {
                Expect.Stored => status == 200,
                Expect.Refused => status is >= 400 and < 500,
                _ => true,
            };
            if (!ok)
            {
                failures.Add($"{c.Kind}: expected {c.Expect}, got {status} {body[..Math.Min(300, body.Length)]}");
            }

            if (status == 200 && c.Agent is not null)
            {
                stored.Add(c);
            }
        });

        Assert.True(cases.Count >= 10_000);
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} wrong answers, e.g.\n{string.Join('\n', failures.Take(15))}");
        Assert.False(statuses.Keys.Any(k => k >= 500), "a 5xx was answered");
        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/healthz")).StatusCode);

        // Exactly the valid reports: each once, none of the refused, names as sent.
        var expected = cases.Where(c => c.Expect == Expect.Stored).Select(c => (c.Agent!, c.Time!)).ToHashSet();
        Assert.Equal(expected.Count, stored.Count);
        var rows = (await database.QueryAsync("SELECT agent_id, ser_get_datetime FROM server WHERE agent_id LIKE 'fuzz-%'"))
            .Select(r => ((string)r["agent_id"]!, Wire(r["ser_get_datetime"]))).ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());
        Assert.True(expected.SetEquals(rows), $"stored {rows.Count}, expected {expected.Count}");
        var containersPerReport = JsonNode.Parse(Reports.SeedRequest)!["container_stats"]!.AsArray().Count;
        Assert.Equal(expected.Count * containersPerReport, await database.CountAllAsync("container"));
        foreach (var hostile in cases.Where(c => c is { Expect: Expect.Stored, Name: not null }))
        {
            var names = await database.QueryAsync(
                "SELECT container_name, node_name FROM container WHERE agent_id = @a AND con_get_datetime = @t", ("@a", hostile.Agent!), ("@t", hostile.Time!));
            Assert.Contains(names, r => (string)r["container_name"]! == hostile.Name || (string)r["node_name"]! == hostile.Name);
        }

        Assert.True(await database.CountAllAsync("auth_token") >= agents.Length); // tables intact after the SQL strings
    }

    private static Case IngestCase(Random random, string agent, string time, string token, string otherAgentsToken, string readToken)
    {
        var report = Reports.Seed(agent, DateTime.ParseExact(time, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        Case Json(string kind, Expect expect, string json, string? name = null) =>
            new(kind, expect, () => Post(Encoding.UTF8.GetBytes(json), token), agent, time, name);
        Case Bytes(string kind, byte[] body) => new(kind, Expect.Refused, () => Post(body, token));
        JsonObject Target(bool container) => container ? report["container_stats"]![random.Next(3)]!.AsObject() : report;

        switch (random.Next(14))
        {
            case 0:
                return Json("valid", Expect.Stored, report.ToJsonString());
            case 1:
                {
                    var text = report.ToJsonString();
                    return Json("truncated", Expect.Refused, text[..random.Next(1, text.Length - 1)]);
                }

            case 2:
                {
                    var container = random.Next(2) == 0;
                    var field = container ? Pick(random, ContainerStrings.Concat(ContainerNumbers).ToArray()) : Pick(random, ReportStrings.Concat(ReportNumbers).ToArray());
                    var isNumber = ReportNumbers.Contains(field) || ContainerNumbers.Contains(field);
                    JsonNode?[] wrong = isNumber
                        ? [JsonValue.Create("abc"), JsonValue.Create(true), new JsonArray(1, 2), new JsonObject { ["v"] = 1 }, null]
                        : [JsonValue.Create(42), JsonValue.Create(false), new JsonArray("a"), new JsonObject { ["v"] = "a" }, null];
                    Target(container)[field] = wrong[random.Next(wrong.Length)];
                    return Json($"wrong type {field}", Expect.Refused, report.ToJsonString());
                }

            case 3:
                {
                    var container = random.Next(2) == 0;
                    var field = container ? Pick(random, ContainerNumbers) : Pick(random, ReportNumbers);
                    var huge = Pick(random, ["1e309", "-1e309", "1e999", "123456789012345678901234567890e300"]);
                    var marker = "\"__HUGE__\"";
                    Target(container)[field] = "__HUGE__";
                    return Json($"huge number {field}", Expect.Refused, report.ToJsonString().Replace(marker, huge, StringComparison.Ordinal));
                }

            case 4:
                {
                    var container = random.Next(2) == 0;
                    var field = container ? Pick(random, ContainerNumbers) : Pick(random, ReportNumbers);
                    if (random.Next(2) == 0)
                    {
                        Target(container)[field] = Pick(random, ["NaN", "Infinity", "-Infinity", "1e5", "0x10"]);
                        return Json($"number as string {field}", Expect.Refused, report.ToJsonString());
                    }

                    Target(container)[field] = "__NAN__";
                    return Json($"bare NaN {field}", Expect.Refused, report.ToJsonString().Replace("\"__NAN__\"", Pick(random, ["NaN", "Infinity", "-Infinity", "+1", ".5", "01"]), StringComparison.Ordinal));
                }

            case 5:
                {
                    var depth = random.Next(17, 5000);
                    var nested = new string('[', depth) + new string(']', depth);
                    return random.Next(2) == 0
                        ? Json("deep array", Expect.Refused, nested)
                        : Json("deep field", Expect.Refused, report.ToJsonString().Replace("\"container_stats\":", $"\"deep\":{nested},\"container_stats\":", StringComparison.Ordinal));
                }

            case 6:
                {
                    report["padding"] = new string('x', random.Next(262_145, 600_000));
                    return Json("oversized", Expect.Refused, report.ToJsonString());
                }

            case 7:
                {
                    var bytes = Encoding.UTF8.GetBytes(report.ToJsonString());
                    var at = Array.IndexOf(bytes, (byte)'"', random.Next(bytes.Length / 2)) + 1;
                    byte[] bad = Pick(random, new[] { new byte[] { 0xC3, 0x28 }, [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF] });
                    return Bytes("invalid UTF-8", [.. bytes[..at], .. bad, .. bytes[at..]]);
                }

            case 8:
                {
                    // Hostile text in every string field: stored verbatim where any text is allowed, refused elsewhere.
                    var container = random.Next(2) == 0;
                    var field = container ? Pick(random, ContainerStrings) : Pick(random, ReportStrings);
                    var text = Pick(random, Hostile);
                    Target(container)[field] = text;
                    // Names take any text the wire's name rule allows (a container name no '/', a node name may hold one).
                    var allowed = container && FreeText.Contains(field) && WireNames.Problem(text, field == "container_name") is null;
                    return Json($"hostile {field}", allowed ? Expect.Stored : Expect.Refused, report.ToJsonString(), allowed ? text : null);
                }

            case 9:
                {
                    // Unknown fields are ignored (fields are only ever added to the wire format): still a valid report.
                    Target(random.Next(2) == 0)["x_" + random.Next(1000).ToString(CultureInfo.InvariantCulture)] = random.Next(3) switch
                    {
                        0 => Pick(random, Hostile),
                        1 => new JsonObject { ["nested"] = new JsonArray(1, "two", null) },
                        _ => 1e300,
                    };
                    return Json("unknown field", Expect.Stored, report.ToJsonString());
                }

            case 10:
                {
                    var (kind, header) = random.Next(6) switch
                    {
                        0 => ("no token", (string?)null),
                        1 => ("basic auth", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin"))),
                        2 => ("empty bearer", "Bearer "),
                        3 => ("huge bearer", "Bearer " + new string('A', random.Next(1000, 16000))),
                        4 => ("forged token", "Bearer ssa_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12] + "_" + Pick(random, Hostile.Where(h => h.All(char.IsAscii)).ToArray())),
                        _ => ("token mangled", "Bearer " + token[..^1] + (token[^1] == 'A' ? 'B' : 'A')),
                    };
                    var json = report.ToJsonString();
                    return new Case(kind, Expect.Refused, () =>
                    {
                        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Content(Encoding.UTF8.GetBytes(json)) };
                        if (header is not null)
                        {
                            request.Headers.TryAddWithoutValidation("Authorization", header);
                        }

                        return request;
                    });
                }

            case 11:
                {
                    // Someone else's token, or a reader's: refused whatever the body says.
                    var json = report.ToJsonString();
                    var wrongToken = random.Next(2) == 0 ? otherAgentsToken : readToken;
                    return new Case("not this agent's token", Expect.Refused, () => Post(Encoding.UTF8.GetBytes(json), wrongToken));
                }

            case 12:
                {
                    var json = Encoding.UTF8.GetBytes(report.ToJsonString());
                    var contentType = Pick(random, [null, "text/plain", "application/json; charset=latin1", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "*/*", "application/json; charset=\"<script>\""]);
                    return new Case($"content type {contentType ?? "none"}", Expect.Refused, () =>
                    {
                        var request = Post(json, token);
                        request.Content!.Headers.ContentType = null;
                        if (contentType is not null)
                        {
                            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                        }

                        return request;
                    });
                }

            default:
                {
                    // Header abuse around a valid report: floods of junk headers, spoofed client addresses, odd Accept.
                    var json = Encoding.UTF8.GetBytes(report.ToJsonString());
                    // ASCII only: Kestrel refuses other bytes in headers before the app runs (see ProtocolAbuseTests).
                    var ascii = Hostile.Where(h => h.All(char.IsAscii)).ToArray();
                    var junk = Enumerable.Range(0, random.Next(1, 60)).Select(_ => Pick(random, ascii)).ToArray();
                    return new Case("junk headers", Expect.Stored, () =>
                    {
                        var request = Post(json, token);
                        for (var h = 0; h < junk.Length; h++)
                        {
                            request.Headers.TryAddWithoutValidation($"X-Junk-{h}", junk[h]);
                        }

                        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1, <script>");
                        request.Headers.TryAddWithoutValidation("Accept", "text/html, */*;q=0.1");
                        return request;
                    }, agent, time);
                }
        }
    }

    private static Case QueryCase(Random random, string agent, string readToken, string agentToken)
    {
        string Value() => random.Next(4) == 0 ? Pick(random, Hostile) : Pick(random,
            ["-1", "0", "1", "999999999999", "abc", "NaN", "1e309", "2024-13-45T99:99:99Z", "2025-01-01T00:00:00Z", "", new string('a', 1000), "%", "%2F..%2F", "null", "[]"]);
        var path = random.Next(5) switch
        {
            0 => $"/api/v1/agents?page={E(Value())}&size={E(Value())}",
            1 => $"/api/v1/agents/{E(random.Next(2) == 0 ? agent : Value())}/host?from={E(Value())}&to={E(Value())}&step={E(Value())}",
            2 => $"/api/v1/agents/{E(random.Next(2) == 0 ? agent : Value())}/containers?page={E(Value())}&size={E(Value())}",
            3 => $"/api/v1/agents/{E(agent)}/containers/{E(Value())}/history?from={E(Value())}&to={E(Value())}&step={E(Value())}",
            _ => $"/api/v1/containers?name={E(Value())}&status={E(Value())}&page={E(Value())}",
        };
        var who = random.Next(10);
        var (kind, expect, token) = who switch
        {
            0 => ("query without token", Expect.Refused, (string?)null),
            1 => ("query with an agent token", Expect.Refused, agentToken),
            _ => ("query", Expect.NoServerError, readToken),
        };
        var method = random.Next(20) == 0 ? HttpMethod.Delete : HttpMethod.Get;
        return new Case(kind, expect, () =>
        {
            var request = new HttpRequestMessage(method, path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return request;
        });
    }

    private static string Wire(object? value) => value is DateTime time
        ? time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : (string)value!;

    private static string E(string value) => Uri.EscapeDataString(value);

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static HttpRequestMessage Post(byte[] body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Content(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static JsonDocument? TryEnvelope(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.TryGetProperty("success", out _) && root.TryGetProperty("resultCode", out _) && root.TryGetProperty("resultMessage", out _)
                && root.TryGetProperty("data", out _) && root.TryGetProperty("pageInfo", out _)
                ? document
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed class SqliteFuzzTests : FuzzSuite<SqliteTestDatabase>;

public sealed class MariaDbFuzzTests : FuzzSuite<MariaDbTestDatabase>;
