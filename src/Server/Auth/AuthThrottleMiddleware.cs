using System.Globalization;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Auth;

/// <summary>
/// Every sign-in takes its place in the address's sign-in budget (<see cref="SignInBudget"/>, shared by every server
/// process) before the password is looked at (the endpoint gives it back on success); past the budget it is answered
/// 429 unchecked. Bearer tokens are not stopped here:
/// a valid token always works, and bad ones past their own budget are answered 429 by the bearer handler.
/// </summary>
internal sealed partial class AuthThrottleMiddleware(RequestDelegate next, SignInBudget budget, ILogger<AuthThrottleMiddleware> logger)
{
    public const string SignInReservedKey = "stackscope:sign-in-reserved";

    public async Task InvokeAsync(HttpContext context)
    {
        var signIn = HttpMethods.IsPost(context.Request.Method) &&
            context.Request.Path.StartsWithSegments(AuthEndpoints.SignInPath, StringComparison.OrdinalIgnoreCase);
        if (!signIn)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var address = FailedAttemptThrottle.ClientAddress(context);
        if (await budget.TryReserveAsync(address, context.RequestAborted).ConfigureAwait(false))
        {
            context.Items[SignInReservedKey] = true;
            await next(context).ConfigureAwait(false);
            return;
        }

        LogThrottled(logger, address, context.Request.Path);
        await WriteTooManyAsync(context, budget.WindowSeconds).ConfigureAwait(false);
    }

    public static Task WriteTooManyAsync(HttpContext context, int windowSeconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = windowSeconds.ToString(CultureInfo.InvariantCulture);
        return Envelopes.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ResultCodes.TooManyFailures,
            $"too many failed sign-ins or bad tokens from this address; retry in {windowSeconds} s");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: {Address} is over its failed-attempt budget; answered 429 on {Path}")]
    private static partial void LogThrottled(ILogger logger, System.Net.IPAddress address, PathString path);
}
