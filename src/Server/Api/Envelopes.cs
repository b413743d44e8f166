using StackScope.Contracts;

namespace StackScope.Server.Api;

/// <summary>Writes the original system's envelope, the one shape every answer takes.</summary>
internal static class Envelopes
{
    public static Task WriteOkAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status200OK, new ApiEnvelope<string> { Data = "", ResultCode = ResultCodes.Ok, Success = true });

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string resultCode, string message) =>
        WriteAsync(context, statusCode, new ApiEnvelope<string>
        {
            Data = "",
            ResultCode = resultCode,
            ResultMessage = message,
            Success = false,
        });

    /// <summary>Any envelope, with the content type every answer carries; <paramref name="typeInfo"/> from a source-generated context.</summary>
    public static Task WriteAsync<T>(HttpContext context, T envelope, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        context.Response.WriteAsJsonAsync(envelope, typeInfo, contentType: "application/json; charset=utf-8");

    private static Task WriteAsync(HttpContext context, int statusCode, ApiEnvelope<string> envelope)
    {
        context.Response.StatusCode = statusCode;
        return WriteAsync(context, envelope, ContractsJsonContext.Default.ApiEnvelopeString);
    }
}
