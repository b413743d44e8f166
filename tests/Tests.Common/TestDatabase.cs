using System.Data.Common;

namespace StackScope.Tests.Common;

/// <summary>A throw-away database of one provider, with raw SQL access for reading rows back.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    protected abstract DbConnection CreateConnection();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public abstract ValueTask DisposeAsync();

    /// <summary>A trigger that makes the database refuse any container row of that name, to break a transaction midway.</summary>
    public abstract string PoisonTriggerSql(string containerName);

    public async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<long> CountAsync(string table, string agentId)
    {
        var rows = await QueryAsync($"SELECT COUNT(*) AS n FROM {table} WHERE agent_id = @a", ("@a", agentId));
        return Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long> CountAllAsync(string table)
    {
        var rows = await QueryAsync($"SELECT COUNT(*) AS n FROM {table}");
        return Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
