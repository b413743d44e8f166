using MySqlConnector;

namespace StackScope.Tests.Common;

/// <summary>
/// The three-node Galera cluster scripts/test.sh started (scripts/galera.sh): each node's connection string and
/// HAProxy's writer. Missing, the Galera tests fail with the reason: they never skip.
/// </summary>
public static class GaleraCluster
{
    public const string Variable = "SS_TEST_GALERA";

    private static string[] All =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value && value.Split('|') is { Length: 5 } parts
            ? parts
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with scripts/test.sh, which installs and starts a Galera cluster (scripts/galera.sh).");

    /// <summary>Node 1-3, straight (no proxy).</summary>
    public static string Node(int number) => All[number - 1];

    /// <summary>HAProxy's port: one Synced node takes the writes, the others stand by.</summary>
    public static string Writer => All[3];

    /// <summary>HAProxy's read port: the nodes that are not the writer, the writer only when neither is Synced.</summary>
    public static string Readers => All[4];

    /// <summary>
    /// Makes node 1-3 refuse every query (wsrep_reject_queries = ALL: error 1047, as a node not ready does) until the
    /// returned handle is disposed.
    /// </summary>
    public static async Task<IAsyncDisposable> RejectQueriesAsync(int node)
    {
        var admin = new MySqlConnection(Node(node));
        await admin.OpenAsync();
        await SetAsync(admin, "ALL");
        return new Rejecting(admin);
    }

    private static async Task SetAsync(MySqlConnection admin, string mode)
    {
        await using var command = new MySqlCommand($"SET GLOBAL wsrep_reject_queries = {mode}", admin);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Rejecting(MySqlConnection admin) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await SetAsync(admin, "NONE");
            await admin.DisposeAsync();
        }
    }
}
