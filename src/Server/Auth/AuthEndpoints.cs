using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Auth;

/// <summary>The dashboard's session: who is signed in, sign-in and sign-out. Both POSTs carry the CSRF header.</summary>
internal static partial class AuthEndpoints
{
    private const int MaxSignInBodyBytes = 4096;

    private const string GroupPath = "/api/v1/auth";
    private const string SignInRoute = "/sign-in";

    /// <summary>The one endpoint without a bearer header that still presents credentials (the throttle watches it).</summary>
    public const string SignInPath = GroupPath + SignInRoute;

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup(GroupPath).WithTags("Auth");
        auth.MapGet("/session", SessionAsync)
            .WithSummary("Whether sign-in is required, who is signed in, and the CSRF token the POSTs below must send as X-CSRF-TOKEN.")
            .Produces<ApiEnvelope<SessionView>>()
            .ProducesErrors(StatusCodes.Status503ServiceUnavailable);
        auth.MapPost(SignInRoute, SignInAsync)
            .WithSummary("Signs a user in with {username, password}; sets the session cookie. Rate limited per client address.")
            .Produces<ApiEnvelope<SessionView>>()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable);
        auth.MapPost("/sign-out", SignOutAsync)
            .WithSummary("Ends the session.")
            .Produces<ApiEnvelope<SessionView>>()
            .ProducesErrors(StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Task SessionAsync(HttpContext context, IAntiforgery antiforgery, IOptions<AuthOptions> options) =>
        WriteSessionAsync(context, antiforgery, options.Value, context.User);

    private static async Task SignInAsync(
        HttpContext context, IAntiforgery antiforgery, UserService users, SessionService sessions, SignInBudget budget,
        IOptions<AuthOptions> options, ILoggerFactory loggers)
    {
        RequireSmallJsonBody(context);
        await RequireCsrfAsync(context, antiforgery).ConfigureAwait(false);
        var request = await ReadSignInAsync(context.Request).ConfigureAwait(false);
        var logger = loggers.CreateLogger(typeof(AuthEndpoints));
        var address = FailedAttemptThrottle.ClientAddress(context);
        var username = request.Username ?? "";
        if (await users.VerifyAsync(username, request.Password ?? "", context.RequestAborted).ConfigureAwait(false) is not { } user)
        {
            // The attempt stays counted: the throttle reserved it before the password was checked.
            LogSignInFailed(logger, LoggedName(username), address);
            // One message for an unknown name and a wrong password alike.
            throw new ApiProblemException(StatusCodes.Status401Unauthorized, ResultCodes.Unauthenticated, "wrong username or password");
        }

        if (context.Items.Remove(AuthThrottleMiddleware.SignInReservedKey))
        {
            await budget.ReleaseAsync(address, context.RequestAborted).ConfigureAwait(false);
        }

        var sessionId = await sessions.StartAsync(username, context.RequestAborted).ConfigureAwait(false);
        List<Claim> claims = [new(ClaimTypes.Name, username), new(ClaimTypes.Role, TokenRoles.Read), new(SessionService.SessionIdClaim, sessionId)];
        if (user.Role == Storage.UserRoles.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, TokenRoles.Admin));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSchemes.Session));
        await context.SignInAsync(AuthSchemes.Session, principal).ConfigureAwait(false);
        LogSignedIn(logger, username, address);
        // The CSRF token is bound to the identity, so the signed-in user needs a fresh one.
        await WriteSessionAsync(context, antiforgery, options.Value, principal).ConfigureAwait(false);
    }

    private static async Task SignOutAsync(HttpContext context, IAntiforgery antiforgery, SessionService sessions, IOptions<AuthOptions> options)
    {
        RequireSmallJsonBody(context);
        await RequireCsrfAsync(context, antiforgery).ConfigureAwait(false);
        if (context.User.FindFirst(SessionService.SessionIdClaim)?.Value is { } sessionId)
        {
            // Ended in storage, not only in this browser: a copy of the cookie stops working too.
            await sessions.EndAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        }

        await context.SignOutAsync(AuthSchemes.Session).ConfigureAwait(false);
        await WriteSessionAsync(context, antiforgery, options.Value, new ClaimsPrincipal(new ClaimsIdentity())).ConfigureAwait(false);
    }

    private static Task WriteSessionAsync(HttpContext context, IAntiforgery antiforgery, AuthOptions options, ClaimsPrincipal user)
    {
        context.User = user;
        var signedIn = user.Identity?.IsAuthenticated == true;
        var csrf = antiforgery.GetAndStoreTokens(context).RequestToken;
        return Envelopes.WriteAsync(context, new ApiEnvelope<SessionView>
        {
            Data = new SessionView(options.IsOpen ? AuthModes.Open : AuthModes.Token, signedIn, signedIn ? user.Identity!.Name : null, csrf)
            {
                // What the dashboard offers: rule and channel editing only to those the API would let through.
                Admin = options.IsOpen || user.IsInRole(TokenRoles.Admin),
            },
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, AuthJsonContext.Default.ApiEnvelopeSessionView);
    }

    /// <summary>
    /// Anyone may post here, so this runs before anything reads the body: the CSRF check reads a form body whole
    /// (25 MB forms took the process to 1.6 GiB), so only JSON (or no body) passes, and an announced length over the
    /// limit is refused at once. The sign-in body itself is read to at most the limit, whatever its framing; what
    /// the client still sends is discarded by Kestrel, never buffered.
    /// </summary>
    private static void RequireSmallJsonBody(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is > MaxSignInBodyBytes)
        {
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, ResultCodes.PayloadTooLarge,
                $"body: larger than the limit of {MaxSignInBodyBytes} bytes");
        }

        var hasBody = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !IsJson(request.ContentType))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ResultCodes.UnsupportedMediaType,
                "Content-Type: must be application/json");
        }
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task RequireCsrfAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, ResultCodes.Forbidden,
                $"missing or invalid CSRF token: send the token from GET /api/v1/auth/session as {AuthSchemes.CsrfHeader}");
        }
    }

    private static async Task<SignInRequest> ReadSignInAsync(HttpRequest request)
    {
        // Read at most one byte past the limit: an endpoint anyone may call never buffers a large body.
        var buffer = new byte[MaxSignInBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length &&
            (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > MaxSignInBodyBytes)
        {
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, ResultCodes.PayloadTooLarge,
                $"body: larger than the limit of {MaxSignInBodyBytes} bytes");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), AuthJsonContext.Default.SignInRequest)
                ?? throw ApiProblemException.BadRequest(ResultCodes.MissingField, "body: expected {\"username\", \"password\"}");
        }
        catch (JsonException)
        {
            throw ApiProblemException.BadRequest(ResultCodes.MalformedJson, "body: expected JSON {\"username\": string, \"password\": string}");
        }
    }

    /// <summary>
    /// A failed sign-in's typed name is not logged as typed: it may be a password typed into the wrong box. Its
    /// length and the start of its SHA-256 let an operator check a suspected name without the log holding it.
    /// </summary>
    internal static string LoggedName(string typed) =>
        $"name#{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(typed)))[..12]} ({typed.Length} characters)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: failed sign-in for {Username} from {Address}")]
    private static partial void LogSignInFailed(ILogger logger, string username, System.Net.IPAddress address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Security: '{Username}' signed in from {Address}")]
    private static partial void LogSignedIn(ILogger logger, string username, System.Net.IPAddress address);
}
