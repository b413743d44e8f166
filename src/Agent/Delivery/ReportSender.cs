using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using StackScope.Contracts;

namespace StackScope.Agent.Delivery;

/// <summary>POSTs one report to ss-server over a keep-alive connection and classifies the answer.</summary>
internal sealed class ReportSender(HttpClient http, Uri endpoint, TimeProvider clock)
{
    public const string MonitorInfoPath = "api/v1/monitor-info";

    public async Task<DeliveryResult> SendAsync(byte[] report, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(report);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await http.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var outcome = response.IsSuccessStatusCode ? DeliveryOutcome.Delivered
                : status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden ? DeliveryOutcome.NotAuthorized
                : status is >= 500 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests ? DeliveryOutcome.Retry
                : DeliveryOutcome.Rejected;
            return new DeliveryResult(outcome, status, body, RetryAfter(response));
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, null, ex.Message, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, null, "request timed out", null);
        }
    }

    /// <summary>The envelope's "resultCode: resultMessage" for the log (the raw body when it is not the envelope).</summary>
    public static string Describe(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ApiEnvelopeString) is { Success: false } envelope
                ? $"{envelope.ResultCode}: {envelope.ResultMessage}"
                : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - clock.GetUtcNow() : null)
            : null;
}
