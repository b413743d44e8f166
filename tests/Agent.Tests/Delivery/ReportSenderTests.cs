using System.Net;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Delivery;

namespace StackScope.Agent.Tests.Delivery;

public sealed class ReportSenderTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:1/api/v1/monitor-info");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(HttpStatusCode.OK, "Delivered")]
    [InlineData(HttpStatusCode.Unauthorized, "NotAuthorized")]
    [InlineData(HttpStatusCode.Forbidden, "NotAuthorized")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Retry")]
    [InlineData(HttpStatusCode.InternalServerError, "Retry")]
    [InlineData(HttpStatusCode.RequestTimeout, "Retry")]
    [InlineData(HttpStatusCode.TooManyRequests, "Retry")]
    [InlineData(HttpStatusCode.BadRequest, "Rejected")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "Rejected")]
    public async Task Each_answer_is_classified(HttpStatusCode status, string outcome)
    {
        var expected = Enum.Parse<DeliveryOutcome>(outcome);
        var result = await Send(StubHandler.Status(status, "{}"));

        Assert.Equal(expected, result.Outcome);
        Assert.Equal((int)status, result.StatusCode);
    }

    [Fact]
    public async Task Retry_After_as_seconds_and_as_a_date_are_both_read()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), (await Send(StubHandler.Status(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.FromSeconds(7)))).RetryAfter);

        var dated = await Send(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(_clock.GetUtcNow().AddSeconds(42));
            return response;
        });
        Assert.Equal(TimeSpan.FromSeconds(42), dated.RetryAfter);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_not_rejected()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var sender = new ReportSender(http, Endpoint, _clock);

        var result = await sender.SendAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Retry, result.Outcome);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public void The_envelope_message_is_what_gets_logged()
    {
        Assert.Equal("1006: agent_id: bad", ReportSender.Describe("""{"data":"","pageInfo":{},"resultCode":"1006","resultMessage":"agent_id: bad","success":false}"""));
        Assert.Equal("<html>proxy error</html>", ReportSender.Describe("<html>proxy error</html>"));
    }

    private async Task<DeliveryResult> Send(Func<HttpResponseMessage> answer)
    {
        using var http = new HttpClient(new StubHandler(answer));
        return await new ReportSender(http, Endpoint, _clock).SendAsync("{}"u8.ToArray(), CancellationToken.None);
    }
}
