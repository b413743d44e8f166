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
                StatusCodes.Status405MethodNotAllowed => (ResultCodes.MethodNotAllowed,
                    $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}"),
                _ => (ResultCodes.BadRequest, $"request failed with status {status}"),
            };
            return Envelopes.WriteErrorAsync(context.HttpContext, status, code, message);
        });
}
