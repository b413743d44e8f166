using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer ss…</c> for agents and read tokens. The answer to any bad token is the same 401 —
/// unknown, revoked or wrong secret look alike — and each counts against the client's address.
/// </summary>
internal sealed partial class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    TokenService tokens, FailedAttemptThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string FailureKey = "stackscope:bad-token";
    private const string OverBudgetKey = "stackscope:bad-token-over-budget";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("Authorization: expected the Bearer scheme");
        }

        var grant = await tokens.VerifyAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (grant is null)
        {
            return Fail("invalid or revoked token");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, grant.Subject), new(ClaimTypes.Role, grant.Role) };
        if (grant.Role == TokenRoles.Agent)
        {
            claims.Add(new Claim(AuthSchemes.AgentIdClaim, grant.Subject));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }

    private AuthenticateResult Fail(string reason)
    {
        var address = FailedAttemptThrottle.ClientAddress(Context);
        if (throttle.IsBlocked(AttemptKind.Token, address))
        {
            Context.Items[OverBudgetKey] = true;
        }

        throttle.RecordFailure(AttemptKind.Token, address);
        LogBadToken(Logger, address, Request.Path, reason);
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(OverBudgetKey))
        {
            // Past the budget a bad token is told to wait; a valid one from the same address was let through above.
            return AuthThrottleMiddleware.WriteTooManyAsync(Context, throttle.WindowSeconds);
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        var message = Context.Items[FailureKey] as string
            ?? "authentication required: send Authorization: Bearer <token>, or sign in";
        return Envelopes.WriteErrorAsync(Context, StatusCodes.Status401Unauthorized, ResultCodes.Unauthenticated, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Envelopes.WriteErrorAsync(Context, StatusCodes.Status403Forbidden, ResultCodes.Forbidden,
            "these credentials may not do this");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: bad bearer token from {Address} on {Path}: {Reason}")]
    private static partial void LogBadToken(ILogger logger, System.Net.IPAddress address, PathString path, string reason);
}
