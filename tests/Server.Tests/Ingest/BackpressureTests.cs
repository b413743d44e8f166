using System.Net;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

public sealed class BackpressureTests
{
    [Fact]
    public async Task A_full_write_queue_answers_503_with_Retry_After_and_every_200_is_stored()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Ingest:QueueCapacity"] = "2",
            ["Ingest:WriterCount"] = "1",
        });

        // Hold the database's write lock so the writer stalls and the queue fills up behind it.
        var agent = Reports.NewAgentId();
        var t0 = new DateTime(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        await server.Credentials.AgentTokenAsync(agent); // issuing writes; the lock below would hold it up
        Task<HttpResponseMessage>[] posts;
        await using (await database.HoldWriteLockAsync())
        {
            posts = new Task<HttpResponseMessage>[8];
            for (var i = 0; i < posts.Length; i++)
            {
                posts[i] = Reports.PostAsync(server.Client, Reports.Seed(agent, t0.AddSeconds(i)));
                await Task.Delay(100);
            }

            // One report waits in the writer and two in the queue; the rest are answered while the lock is still held,
            // and none of those can be a 200, as nothing commits. Waiting for them (not a fixed time) keeps this true on
            // a slow machine.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (posts.Count(p => p.IsCompleted) < posts.Length - 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var answeredWhileLocked = posts.Where(p => p.IsCompleted).Select(p => p.Result.StatusCode).ToList();
            Assert.NotEmpty(answeredWhileLocked);
            Assert.All(answeredWhileLocked, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        }

        var responses = await Task.WhenAll(posts);
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);

        Assert.NotEmpty(busy);
        Assert.Equal(responses.Length, ok + busy.Count);
        foreach (var response in busy)
        {
            await Envelope.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, ResultCodes.ServerBusy, "queue full");
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(ok, await database.CountAsync("server", agent));
    }
}
