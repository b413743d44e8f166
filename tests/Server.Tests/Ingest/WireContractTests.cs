using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StackScope.Contracts;
using StackScope.Server.Ingest;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// The wire contract checked once, by reflection over the Contracts records: a property added to
/// <see cref="MonitorReport"/> or <see cref="ContainerStat"/> fails here until it is read, validated and stored.
/// </summary>
public class WireContractTests
{
    private const string ContainerPrefix = "container_stats[0].";

    public static IEnumerable<string> ReportFields => WireNames(typeof(MonitorReport)).Where(n => !ReportColumns.OwnTables.Contains(n));

    public static IEnumerable<string> ContainerFields => WireNames(typeof(ContainerStat));

    public static IEnumerable<string> FileSystemFields => WireNames(typeof(FileSystemStat));

    public static IEnumerable<string> EventFields => WireNames(typeof(ContainerEvent));

    [Fact]
    public void Every_list_of_a_report_is_a_table_of_its_own()
    {
        // Lists of records are; a list of words (the engine types) is one column, comma-separated.
        var lists = typeof(MonitorReport).GetProperties()
            .Where(p => p.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType)
                && p.PropertyType != typeof(IReadOnlyList<string>))
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name);
        Assert.Equal(lists.Order(), ReportColumns.OwnTables.Order());
    }

    [Fact]
    public void Every_field_of_a_report_is_read_back_with_its_value()
    {
        var report = EveryFieldSet();
        var json = JsonSerializer.Serialize(report, ContractsJsonContext.Default.MonitorReport);
        var wire = JsonNode.Parse(json)!.AsObject();
        Assert.All(ReportFields, name => Assert.NotNull(wire[name]));
        Assert.All(ContainerFields, name => Assert.NotNull(wire["container_stats"]![0]![name]));
        Assert.All(FileSystemFields, name => Assert.NotNull(wire["ser_filesystems"]![0]![name]));
        Assert.All(EventFields, name => Assert.NotNull(wire["container_events"]![0]![name]));

        using var document = JsonDocument.Parse(json);
        var read = ReportReader.Read(document.RootElement);

        Assert.Equal(json, JsonSerializer.Serialize(read, ContractsJsonContext.Default.MonitorReport));
    }

    [Fact]
    public void Fields_are_read_in_any_order_and_with_escaped_names()
    {
        // The reader tries the agent's order first; another order, or a name spelled with JSON escapes, is the same report.
        var json = JsonSerializer.Serialize(EveryFieldSet(), ContractsJsonContext.Default.MonitorReport);
        var wire = JsonNode.Parse(json)!.AsObject();
        var shuffled = Reversed(wire);
        var text = shuffled.ToJsonString()
            .Replace("\"agent_id\"", "\"agent\\u005fid\"", StringComparison.Ordinal)
            .Replace("\"con_get_datetime\"", "\"con\\u005Fget_datetime\"", StringComparison.Ordinal);
        // A timestamp's value with an escape too: read as the text it stands for.
        text = System.Text.RegularExpressions.Regex.Replace(text, "(\"ser_get_datetime\":\"[0-9]{4})-", "$1\\u002d");
        Assert.Contains("\\u005fid", text, StringComparison.Ordinal);
        Assert.Contains("\\u002d", text, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(text);
        var read = ReportReader.Read(document.RootElement);

        Assert.Equal(json, JsonSerializer.Serialize(read, ContractsJsonContext.Default.MonitorReport));
    }

    private static JsonObject Reversed(JsonObject source)
    {
        var reversed = new JsonObject();
        foreach (var (name, value) in source.Reverse())
        {
            reversed[name] = value switch
            {
                JsonObject inner when name != "labels" => Reversed(inner), // labels keep their order: a dictionary's, compared below
                JsonArray array => new JsonArray([.. array.Select(e => e is JsonObject o ? (JsonNode)Reversed(o) : e?.DeepClone())]),
                _ => value?.DeepClone(),
            };
        }

        return reversed;
    }

    [Fact]
    public void Every_field_has_a_stored_column_named_as_on_the_wire()
    {
        Assert.Equal(ReportFields.Order(), ReportColumns.Server.Select(f => f.Column).Order());
        Assert.Equal(ContainerFields.Order(), ReportColumns.Container.Select(f => f.Column).Order());
        Assert.Equal(FileSystemFields.Order(), ReportColumns.FileSystem.Select(f => f.Column).Order());
        Assert.Equal(EventFields.Order(), ReportColumns.Event.Select(f => f.Column).Order());
    }

    [Fact]
    public void Every_stored_column_takes_its_value_from_the_field_of_that_name()
    {
        var report = EveryFieldSet();
        var wire = JsonNode.Parse(JsonSerializer.Serialize(report, ContractsJsonContext.Default.MonitorReport))!.AsObject();
        foreach (var field in ReportColumns.Server)
        {
            Assert.Equal(Text(wire[field.Column]), Text(field.Value(report)));
        }

        foreach (var field in ReportColumns.Container)
        {
            Assert.Equal(Text(wire["container_stats"]![0]![field.Column]), Text(field.Value(report.Containers[0])));
        }

        foreach (var field in ReportColumns.FileSystem)
        {
            Assert.Equal(Text(wire["ser_filesystems"]![0]![field.Column]), Text(field.Value(report.FileSystems![0])));
        }

        foreach (var field in ReportColumns.Event)
        {
            Assert.Equal(Text(wire["container_events"]![0]![field.Column]), Text(field.Value(report.Events![0])));
        }
    }

    [Fact]
    public void Every_field_has_a_validation_case_that_names_it()
    {
        var named = InvalidReports.All.Values.Select(c => c.MessageFragment).ToList();
        var fields = ReportFields.Select(n => n + ":").Concat(ContainerFields.Select(n => ContainerPrefix + n + ":"))
            .Concat(FileSystemFields.Select(n => "ser_filesystems[0]." + n + ":")).Concat(EventFields.Select(n => "container_events[0]." + n + ":"))
            .Concat(ReportColumns.OwnTables.Select(n => n + ":"));

        Assert.All(fields, field => Assert.Contains(named, message => message.StartsWith(field, StringComparison.Ordinal)));
    }

    /// <summary>A report in which every property of both records holds a value of its own, set by reflection.</summary>
    internal static MonitorReport EveryFieldSet()
    {
        var report = JsonSerializer.Deserialize(Reports.SeedRequest, ContractsJsonContext.Default.MonitorReport)!;
        var seed = 1;
        var container = Fill(report.Containers[0], ref seed);
        var fileSystem = Fill(new FileSystemStat { MountPoint = "/", FsType = "ext4", TotalBytes = 0, UsedBytes = 0 }, ref seed);
        var containerEvent = Fill(new ContainerEvent
        {
            ContainerId = "",
            ContainerName = "",
            NodeName = "",
            Action = "",
            OccurredAt = default,
            TimeNano = 0,
            Source = "",
        }, ref seed);
        var filled = Fill(report, ref seed);
        return filled with { Containers = [container], FileSystems = [fileSystem], Events = [containerEvent] };
    }

    private static T Fill<T>(T record, ref int seed)
        where T : class
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null))
        {
            var value = DistinctValue(property, seed++);
            if (value is not null)
            {
                property.SetValue(record, value);
            }
        }

        return record;
    }

    private static object? DistinctValue(PropertyInfo property, int seed)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(string) => property.Name is "EngineType" ? EngineTypes.Docker : "v" + seed.ToString(CultureInfo.InvariantCulture),
            _ when type == typeof(int) => seed,
            _ when type == typeof(long) => 1_000_000_000_000L + seed,
            _ when type == typeof(double) => seed + 0.25,
            _ when type == typeof(bool) => true,
            _ when type == typeof(DateTime) => new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(seed),
            _ when type == typeof(IReadOnlyList<string>) => property.Name is "EngineTypes" ? new List<string> { EngineTypes.Docker, EngineTypes.Podman } : [EngineTypes.Podman],
            _ when type == typeof(IReadOnlyDictionary<string, string>) => new Dictionary<string, string> { ["k" + seed.ToString(CultureInfo.InvariantCulture)] = "v" + seed.ToString(CultureInfo.InvariantCulture) },
            _ when type.IsGenericType => null, // the container list, set by the caller
            _ => throw new InvalidOperationException($"{property.Name}: teach this test a value for {type.Name}"),
        };
    }

    private static string Text(object? value) => value switch
    {
        DateTime time => WireTimestamp.ToWire(time),
        bool flag => flag ? "true" : "false",
        JsonArray words when words.All(n => n?.GetValueKind() == JsonValueKind.String) => string.Join(',', words.Select(n => n!.GetValue<string>())),
        JsonNode node => node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString(),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static IEnumerable<string> WireNames(Type type) =>
        type.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>();
}
