using System.Net;
using System.Text.Json;
using StackScope.Contracts;

namespace StackScope.Tests.Common;

public static class Envelope
{
    /// <summary>Reads an answer that must be the envelope, whatever its status.</summary>
    public static async Task<ApiEnvelope<string>> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        return JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ApiEnvelopeString)
            ?? throw new InvalidOperationException("empty envelope: " + body);
    }

    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string resultCode, string messageFragment)
    {
        var envelope = await ReadAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.False(envelope.Success);
        Assert.Equal(resultCode, envelope.ResultCode);
        Assert.Contains(messageFragment, envelope.ResultMessage, StringComparison.Ordinal);
    }
}
