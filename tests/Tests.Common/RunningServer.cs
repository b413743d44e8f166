using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Server;

namespace StackScope.Tests.Common;

/// <summary>The real ss-server (Kestrel, real HTTP) on a free loopback port, in this process.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri baseAddress, HttpMessageHandler? transport)
    {
        _app = app;
        BaseAddress = baseAddress;
        Credentials = new TestCredentials(app.Services) { InnerHandler = transport ?? new HttpClientHandler() };
        Client = new HttpClient(Credentials) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        RawClient = new HttpClient(transport ?? new HttpClientHandler(), disposeHandler: transport is null)
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri BaseAddress { get; }

    /// <summary>Carries a real token on every API call (see <see cref="TestCredentials"/>).</summary>
    public HttpClient Client { get; }

    /// <summary>No credentials: for tests of authentication itself.</summary>
    public HttpClient RawClient { get; }

    public TestCredentials Credentials { get; }

    /// <summary>Where the server keeps its cookie keys when the test did not say.</summary>
    public static string DefaultKeysPath { get; } = Path.Combine(AppContext.BaseDirectory, "test-keys");

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(
        TestDatabase database, IDictionary<string, string?>? settings = null, HttpMessageHandler? transport = null, TimeProvider? clock = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:Provider"] = database.Provider,
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Auth:KeysPath"] = DefaultKeysPath,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var app = ServerApp.Build([], overrides, clock is null ? null : services => services.AddSingleton(clock));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new RunningServer(app, new Uri(address), transport);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>A dashboard user, made the way `ss-server user add` makes one.</summary>
    public Task<bool> AddUserAsync(string username, string password) =>
        Services.GetRequiredService<StackScope.Server.Auth.UserService>().AddAsync(username, password, CancellationToken.None);

    /// <summary>A dashboard user with the admin role (alert rules, channels, silences), made as `ss-server user add --admin` does.</summary>
    public Task<bool> AddAdminAsync(string username, string password) =>
        Services.GetRequiredService<StackScope.Server.Auth.UserService>().AddAsync(username, password, CancellationToken.None, StackScope.Server.Storage.UserRoles.Admin);

    /// <summary>The schema is migrated in the background at start; tests begin once /readyz says so.</summary>
    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await RawClient.GetAsync("/readyz")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("ss-server did not become ready in 30 s");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        RawClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
