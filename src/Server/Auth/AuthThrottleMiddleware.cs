using System.Globalization;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Auth;

/// <summary>
/// An address past its failure budget gets 429 for anything that presents credentials (a bearer token or a
/// sign-in), before they are checked. Requests without credentials and signed-in sessions pass.
/// </summary>
internal sealed partial class AuthThrottleMiddleware(RequestDelegate next, FailedAttemptThrottle throttle, ILogger<AuthThrottleMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var presentsCredentials = context.Request.Headers.Authorization.Count > 0 ||
            (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(AuthEndpoints.SignInPath, StringComparison.OrdinalIgnoreCase));
        var address = FailedAttemptThrottle.ClientAddress(context);
        if (!presentsCredentials || !throttle.IsBlocked(address))
        {
            return next(context);
        }

        LogThrottled(logger, address, context.Request.Path);
        context.Response.Headers.RetryAfter = throttle.WindowSeconds.ToString(CultureInfo.InvariantCulture);
        return Envelopes.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ResultCodes.TooManyFailures,
            $"too many failed sign-ins or bad tokens from this address; retry in {throttle.WindowSeconds} s");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: {Address} is over its failed-attempt budget; answered 429 on {Path}")]
    private static partial void LogThrottled(ILogger logger, System.Net.IPAddress address, PathString path);
}
