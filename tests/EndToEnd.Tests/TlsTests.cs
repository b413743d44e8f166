using System.Net;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>ss-server on HTTPS from Kestrel's configuration; the real agent trusts it only through its CA file.</summary>
public sealed class TlsTests
{
    private const string NoEngine = "unix:///nonexistent/docker.sock";

    [Fact]
    public async Task The_agent_delivers_over_HTTPS_when_given_the_CA_and_refuses_a_server_it_cannot_verify()
    {
        using var certificates = new TestCertificates();
        using var otherCa = new TestCertificates();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, certificates.KestrelSettings(), certificates.TrustingHandler());
        Assert.Equal("https", server.BaseAddress.Scheme);

        var trusted = Reports.NewAgentId("tls");
        var run = await AgentBinary.OnceAsync(server, trusted, "--Agent:DockerHost", NoEngine, "--Agent:CaFile", certificates.CaPath);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Equal(1, await database.CountAsync("server", trusted));

        // The system's roots do not know this CA; a different CA does not vouch for this server.
        foreach (var extra in new[] { Array.Empty<string>(), ["--Agent:CaFile", otherCa.CaPath] })
        {
            var refused = Reports.NewAgentId("tls");
            var failed = await AgentBinary.OnceAsync(server, refused, ["--Agent:DockerHost", NoEngine, .. extra]);
            Assert.Equal(1, failed.ExitCode);
            Assert.Contains("SSL", failed.Output + failed.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, await database.CountAsync("server", refused));
        }
    }

    [Fact]
    public async Task Over_HTTPS_the_session_cookie_is_marked_secure()
    {
        using var certificates = new TestCertificates();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, certificates.KestrelSettings(), certificates.TrustingHandler());
        Assert.True(await server.AddUserAsync("ops", "dashboard password"));

        var session = await server.RawClient.GetAsync("/api/v1/auth/session");
        var csrf = System.Text.Json.JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("csrfToken").GetString();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/sign-in")
        {
            Content = Reports.Json("""{"username":"ops","password":"dashboard password"}"""),
            Headers = { { "X-CSRF-TOKEN", csrf } },
        };
        var signIn = await server.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ss_session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
