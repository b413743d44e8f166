namespace StackScope.Tests.Common;

/// <summary>Where the MariaDB that scripts/test.sh started is, and how to start a private one.</summary>
public static class MariaDb
{
    public const string ConnectionVariable = "SS_TEST_MYSQL";

    /// <summary>
    /// The server connection string scripts/test.sh exported. Missing, the MariaDB tests fail with the
    /// reason: they never skip, under CI or not, because a skipped provider looks like a passing one.
    /// </summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionVariable} is not set: run the tests with scripts/test.sh, which installs and starts MariaDB.");

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StackScope.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root (StackScope.slnx) not found");
        }
    }
}
