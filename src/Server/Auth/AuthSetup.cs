using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

internal static partial class AuthSetup
{
    public static IServiceCollection AddStackScopeAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.SectionName);
        var settings = section.Get<AuthOptions>() ?? new AuthOptions();
        services.AddOptions<AuthOptions>().Bind(section)
            .Validate(o => o.IsOpen || string.Equals(o.Mode.Trim(), AuthModes.Token, StringComparison.OrdinalIgnoreCase),
                $"Auth:Mode must be '{AuthModes.Token}' (the default) or '{AuthModes.Open}'")
            .Validate(o => o.MaxFailures > 0 && o.FailureWindowSeconds > 0 && o.TokenCacheSeconds >= 0 && o.SessionHours > 0 && o.SessionCheckSeconds >= 0,
                "Auth: MaxFailures, FailureWindowSeconds and SessionHours must be positive, TokenCacheSeconds and SessionCheckSeconds not negative")
            .ValidateOnStart();
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<FailedAttemptThrottle>();
        services.AddSingleton(sp => new SqlSignInAttempts(sp.GetRequiredService<StorageSet>().Database));
        services.AddSingleton<SignInBudget>();

        // Session cookies and CSRF tokens are signed and encrypted with these keys, kept in the database every server
        // process shares (a restart, or a load balancer moving a browser to another replica, keeps people signed in).
        // Auth:KeysPath is where earlier versions kept them: copied in once.
        var legacyKeys = settings.KeysPath.Length > 0 ? settings.KeysPath : Path.Combine(Directory.GetCurrentDirectory(), "data", "keys");
        services.AddSingleton(sp => new SharedKeys(sp.GetRequiredService<StorageSet>().Database));
        services.AddDataProtection().SetApplicationName("StackScope");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<SharedKeys>(), sp.GetRequiredService<SchemaGate>(), legacyKeys,
                sp.GetRequiredService<ILogger<DatabaseKeyRepository>>())));

        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, null, o =>
            {
                o.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? AuthSchemes.Bearer : AuthSchemes.Session;
                // Challenges and refusals are the envelope's 401/403, never a redirect to a login page.
                o.ForwardChallenge = AuthSchemes.Bearer;
                o.ForwardForbid = AuthSchemes.Bearer;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(AuthSchemes.Bearer, null)
            .AddCookie(AuthSchemes.Session, o =>
            {
                o.Cookie.Name = "ss_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(settings.SessionHours);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = SessionService.ValidateAsync;
            });

        // In open mode every policy lets anyone through; otherwise each wants its role.
        void RoleOrOpen(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder policy, string role) =>
            _ = settings.IsOpen ? policy.RequireAssertion(_ => true) : policy.RequireRole(role);
        services.AddAuthorization(o =>
        {
            o.AddPolicy(AuthSchemes.AgentPolicy, p => RoleOrOpen(p, TokenRoles.Agent));
            o.AddPolicy(AuthSchemes.ReaderPolicy, p => RoleOrOpen(p, TokenRoles.Read));
            o.AddPolicy(AuthSchemes.AdminPolicy, p => RoleOrOpen(p, TokenRoles.Admin));
        });

        services.AddAntiforgery(o =>
        {
            o.HeaderName = AuthSchemes.CsrfHeader;
            o.Cookie.Name = "ss_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Client addresses from X-Forwarded-For, only when it comes from a configured trusted proxy.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.TrustedProxies;
        if (proxies.Length == 0)
        {
            return app;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        // The framework trusts loopback by default; here only what the operator named is trusted.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            if (System.Net.IPNetwork.TryParse(proxy, out var network))
            {
                forwarded.KnownIPNetworks.Add(network);
            }
            else if (System.Net.IPAddress.TryParse(proxy, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"Auth:TrustedProxies: '{proxy}' is neither an IP address nor a CIDR network");
            }
        }

        app.UseForwardedHeaders(forwarded);
        return app;
    }

    public static WebApplication UseStackScopeAuth(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
        if (options.IsOpen)
        {
            LogOpenMode(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuthSetup)));
        }

        app.UseMiddleware<AuthThrottleMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Refuses a report whose agent_id is not the one the caller's token was issued for (any, in open mode).</summary>
    public static void RequireOwnAgent(HttpContext context, string agentId, AuthOptions options)
    {
        if (options.IsOpen)
        {
            return;
        }

        var allowed = context.User.FindFirst(AuthSchemes.AgentIdClaim)?.Value;
        if (!string.Equals(allowed, agentId, StringComparison.Ordinal))
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, ResultCodes.Forbidden,
                $"agent_id: this token may write only agent_id '{allowed}'");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Security: Auth:Mode=open - anyone who can reach this server may write and read every agent's data. Use it only on an isolated lab network.")]
    private static partial void LogOpenMode(ILogger logger);
}
