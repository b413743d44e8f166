using System.Globalization;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Auth;

/// <summary>
/// Every sign-in takes its place in the address's sign-in budget before the password is looked at (the endpoint
/// gives it back on success); past the budget it is answered 429 unchecked. Bearer tokens are not stopped here:
/// a valid token always works, and bad ones past their own budget are answered 429 by the bearer handler.
/// </summary>
internal sealed partial class AuthThrottleMiddleware(RequestDelegate next, FailedAttemptThrottle throttle, ILogger<AuthThrottleMiddleware> logger)
{
    public const string SignInReservedKey = "stackscope:sign-in-reserved";

    public Task InvokeAsync(HttpContext context)
    {
        var signIn = HttpMethods.IsPost(context.Request.Method) &&
            context.Request.Path.StartsWithSegments(AuthEndpoints.SignInPath, StringComparison.OrdinalIgnoreCase);
        if (!signIn)
        {
            return next(context);
        }

        var address = FailedAttemptThrottle.ClientAddress(context);
        if (throttle.TryReserve(AttemptKind.SignIn, address))
        {
            context.Items[SignInReservedKey] = true;
            return next(context);
        }

        LogThrottled(logger, address, context.Request.Path);
        return WriteTooManyAsync(context, throttle);
    }

    public static Task WriteTooManyAsync(HttpContext context, FailedAttemptThrottle throttle)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(throttle);
        context.Response.Headers.RetryAfter = throttle.WindowSeconds.ToString(CultureInfo.InvariantCulture);
        return Envelopes.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ResultCodes.TooManyFailures,
            $"too many failed sign-ins or bad tokens from this address; retry in {throttle.WindowSeconds} s");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: {Address} is over its failed-attempt budget; answered 429 on {Path}")]
    private static partial void LogThrottled(ILogger logger, System.Net.IPAddress address, PathString path);
}
