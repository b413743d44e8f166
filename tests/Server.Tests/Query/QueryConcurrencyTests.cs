using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Server.Auth;
using StackScope.Server.Query;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Query;

public sealed class QueryConcurrencyTests
{
    [Fact]
    public void A_principal_gets_four_places_and_others_are_not_affected()
    {
        var limiter = new QueryConcurrencyLimiter();
        for (var i = 0; i < QueryConcurrencyLimiter.MaxPerPrincipal; i++)
        {
            Assert.True(limiter.TryEnter("Bearer:a"));
        }

        Assert.False(limiter.TryEnter("Bearer:a"));
        Assert.True(limiter.TryEnter("Bearer:b"));
        limiter.Exit("Bearer:a");
        Assert.True(limiter.TryEnter("Bearer:a"));
    }

    [Fact]
    public async Task A_reader_past_its_places_gets_429_on_histories_and_searches_but_not_on_the_fleet()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("busy");
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, DateTime.UtcNow.AddMinutes(-1)))).StatusCode);
        await server.Client.GetAsync(new Uri("/api/v1/agents", UriKind.Relative)); // issues the test reader's token
        var reader = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "test-reader")], AuthSchemes.Bearer));
        var key = QueryConcurrencyLimiter.PrincipalKey(reader, null);
        var limiter = server.Services.GetRequiredService<QueryConcurrencyLimiter>();
        for (var i = 0; i < QueryConcurrencyLimiter.MaxPerPrincipal; i++)
        {
            Assert.True(limiter.TryEnter(key)); // four queries of this reader "running"
        }

        foreach (var path in new[] { $"/api/v1/agents/{agent}/host", $"/api/v1/agents/{agent}/containers/redis-container/history", "/api/v1/containers?name=redis" })
        {
            var answer = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            await Envelope.AssertErrorAsync(answer, HttpStatusCode.TooManyRequests, ResultCodes.TooManyQueries, "at most 4");
            Assert.Equal(TimeSpan.FromSeconds(1), answer.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/api/v1/agents", UriKind.Relative))).StatusCode);
        limiter.Exit(key);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri($"/api/v1/agents/{agent}/host", UriKind.Relative))).StatusCode);
    }
}
