using StackScope.Contracts;

namespace StackScope.Server.Api;

internal static class StatusCodeEnvelopes
{
    /// <summary>Empty 404/405 answers from routing get the envelope too, so a client never sees two error shapes.</summary>
    public static IApplicationBuilder UseStatusCodeEnvelopes(this IApplicationBuilder app) =>
        app.UseStatusCodePages(context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var (code, message) = status switch
            {
                StatusCodes.Status404NotFound => (ResultCodes.NotFound, $"no endpoint at {context.HttpContext.Request.Path}"),
                // Routing refuses a body type the endpoint does not accept before the endpoint runs.
                StatusCodes.Status415UnsupportedMediaType => (ResultCodes.UnsupportedMediaType,
                    $"Content-Type: expected application/json, got '{context.HttpContext.Request.ContentType}'"),
                StatusCodes.Status413PayloadTooLarge => (ResultCodes.PayloadTooLarge, "body: larger than the limit"),
                StatusCodes.Status405MethodNotAllowed => (ResultCodes.MethodNotAllowed,
                    $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}"),
                _ => (ResultCodes.BadRequest, $"request failed with status {status}"),
            };
            return Envelopes.WriteErrorAsync(context.HttpContext, status, code, message);
        });
}
