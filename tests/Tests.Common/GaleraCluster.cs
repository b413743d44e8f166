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
}
