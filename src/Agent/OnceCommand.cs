using System.Text;
using System.Text.Json;
using StackScope.Agent.Delivery;
using StackScope.Agent.Sampling;
using StackScope.Contracts;

namespace StackScope.Agent;

/// <summary>
/// <c>ss-agent --once</c>: what the original printed — each record, the JSON document, then the HTTP status
/// and the response body. Exit code 0 only when the server stored the report.
/// </summary>
internal static class OnceCommand
{
    private static readonly JsonSerializerOptions Indented = new(ContractsJsonContext.Default.Options) { WriteIndented = true };

    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var sampler = services.GetRequiredService<ReportSampler>();
        var sender = services.GetRequiredService<ReportSender>();

        await sampler.PrimeAsync(cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(1), services.GetRequiredService<TimeProvider>(), cancellationToken).ConfigureAwait(false);
        if (await sampler.SampleAsync(cancellationToken).ConfigureAwait(false) is not { Report: var report })
        {
            await Console.Error.WriteLineAsync("ss-agent: the host's figures could not be read; nothing was sent").ConfigureAwait(false);
            return 1;
        }

        var output = new StringBuilder();
        var hostRecord = report with { Containers = [] };
        output.AppendLine(Compact(JsonSerializer.Serialize(hostRecord, ContractsJsonContext.Default.MonitorReport)));
        foreach (var container in report.Containers)
        {
            output.AppendLine(JsonSerializer.Serialize(container, ContractsJsonContext.Default.ContainerStat));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(report, ContractsJsonContext.Default.MonitorReport);
        output.AppendLine(JsonSerializer.Serialize(report, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<MonitorReport>)Indented.GetTypeInfo(typeof(MonitorReport))));
        await Console.Out.WriteAsync(output.ToString()).ConfigureAwait(false);

        var result = await sender.SendAsync(body, cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer").ConfigureAwait(false);
        await Console.Out.WriteLineAsync(result.Body).ConfigureAwait(false);
        return result.Outcome == DeliveryOutcome.Delivered ? 0 : 1;
    }

    // The host record is the report without its container list, as the original printed it.
    private static string Compact(string json) => json.Replace(",\"container_stats\":[]", "", StringComparison.Ordinal);
}
