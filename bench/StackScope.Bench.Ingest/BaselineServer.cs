using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// What the original server did, for comparison: per request a new database connection (no pool),
/// the server row and then each container row inserted by its own statement, a commit per table,
/// disconnect. Same HTTP stack, same JSON contract, same tables.
/// </summary>
internal static class BaselineServer
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var pooled = new MySqlConnectionStringBuilder(args.Require("mysql"));
        await StorageSet.Create(new StorageOptions { Provider = StorageProviders.MySql, ConnectionString = pooled.ConnectionString }, Path.GetTempPath())
            .Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var connectionString = new MySqlConnectionStringBuilder(pooled.ConnectionString) { Pooling = false }.ConnectionString;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(args.Require("urls"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/api/v1/monitor-info", async (HttpContext context) =>
        {
            var report = await JsonSerializer.DeserializeAsync(context.Request.Body, ContractsJsonContext.Default.MonitorReport).ConfigureAwait(false);
            await InsertAsync(connectionString, report!).ConfigureAwait(false);
            await context.Response.WriteAsJsonAsync(new ApiEnvelope<string> { Data = "", ResultCode = ResultCodes.Ok, Success = true },
                ContractsJsonContext.Default.ApiEnvelopeString).ConfigureAwait(false);
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task InsertAsync(string connectionString, MonitorReport report)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);

        await using (var tx = await connection.BeginTransactionAsync().ConfigureAwait(false))
        {
            await using var command = new MySqlCommand(
                "INSERT INTO server(engine_type,agent_id,ser_cpu_count,ser_cpu_percent,ser_memory_total,ser_memory_used,ser_memory_percent,ser_get_datetime,received_at) " +
                "VALUES (@e,@a,@c,@p,@t,@u,@m,@d,UTC_TIMESTAMP())", connection, tx);
            command.Parameters.AddWithValue("@e", report.EngineType);
            command.Parameters.AddWithValue("@a", report.AgentId);
            command.Parameters.AddWithValue("@c", report.CpuCount);
            command.Parameters.AddWithValue("@p", report.CpuPercent);
            command.Parameters.AddWithValue("@t", report.MemoryTotalMiB);
            command.Parameters.AddWithValue("@u", report.MemoryUsedMiB);
            command.Parameters.AddWithValue("@m", report.MemoryPercent);
            command.Parameters.AddWithValue("@d", report.SampledAt);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            await tx.CommitAsync().ConfigureAwait(false);
        }

        await using (var tx = await connection.BeginTransactionAsync().ConfigureAwait(false))
        {
            foreach (var c in report.Containers)
            {
                await using var command = new MySqlCommand(
                    "INSERT INTO container(engine_type,agent_id,node_name,container_name,status,con_cpu_percent,con_memory_usage,con_memory_percent,con_get_datetime,received_at) " +
                    "VALUES (@e,@a,@n,@k,@s,@p,@u,@m,@d,UTC_TIMESTAMP())", connection, tx);
                command.Parameters.AddWithValue("@e", c.EngineType);
                command.Parameters.AddWithValue("@a", c.AgentId);
                command.Parameters.AddWithValue("@n", c.NodeName);
                command.Parameters.AddWithValue("@k", c.ContainerName);
                command.Parameters.AddWithValue("@s", c.Status);
                command.Parameters.AddWithValue("@p", c.CpuPercent);
                command.Parameters.AddWithValue("@u", c.MemoryUsageMiB);
                command.Parameters.AddWithValue("@m", c.MemoryPercent);
                command.Parameters.AddWithValue("@d", c.SampledAt);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await tx.CommitAsync().ConfigureAwait(false);
        }
    }
}
