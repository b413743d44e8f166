namespace StackScope.Tests.Common;

/// <summary>One database and one server per test class; tests keep apart by using their own agent ids.</summary>
public sealed class ServerFixture<TDatabase> : IAsyncLifetime where TDatabase : TestDatabase, new()
{
    public TDatabase Database { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = new TDatabase();
        await Database.InitializeAsync();
        Server = await RunningServer.StartAsync(Database);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}
