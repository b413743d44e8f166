using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Auth;
using StackScope.Server.Coordination;
using StackScope.Server.Retention;
using StackScope.Server.Storage;

namespace StackScope.Server.Admin;

/// <summary>
/// <c>ss-server agent|user|token …</c>: manages tokens and users in the configured storage (same appsettings,
/// SS_ variables and --Key value arguments as the server), then exits. A token or generated password is printed
/// once, on stdout, and is not recoverable afterwards: only its hash is stored.
/// </summary>
internal static class AdminCli
{
    private const string Usage = """
        usage:
          ss-server agent add <agent_id>        issue the agent's token (printed once)
          ss-server agent revoke <agent_id>     revoke the agent's token
          ss-server agent list
          ss-server user add <name> [--password-stdin | --generate-password] [--admin]
          ss-server user role <name> admin|reader   admins also manage alert rules, channels and silences; ends the user's sessions
          ss-server user remove <name>          also ends the user's sessions
          ss-server user passwd <name> [--password-stdin]   set a new password; ends the user's sessions
          ss-server user list
          ss-server token add <name>            issue a read-only API token (printed once)
          ss-server token revoke <name>
          ss-server token list
          ss-server maintenance run             roll up and expire once (as the server does every Retention:IntervalMinutes), print what it did
        storage settings as for the server, e.g. --Storage:Provider mysql --Storage:ConnectionString "..."
        """;

    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "agent" or "user" or "token" or "maintenance";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        try
        {
            return await RunCommandAsync(args, output, error, input).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage away, a bad setting, a mistyped password confirmation: one line, not a stack trace.
            await error.WriteLineAsync("ss-server: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunCommandAsync(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var flags = args.Skip(positional.Length).Where(a => a is "--password-stdin" or "--generate-password" or "--admin").ToHashSet();
        var settings = args.Skip(positional.Length).Where(a => !flags.Contains(a)).ToArray();
        if (positional is ["maintenance", "run"])
        {
            return await MaintenanceAsync(settings, output, error).ConfigureAwait(false);
        }

        if (positional.Length < 2 || positional[0] == "maintenance" || (positional[1] != "list" && positional.Length != (positional[1] == "role" ? 4 : 3)))
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        await using var app = ServerApp.Build(settings.Concat(["--Logging:LogLevel:Default", "Warning"]).ToArray());
        var services = app.Services;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cancel.Token;
        await services.GetRequiredService<SchemaGate>().EnsureAsync(ct).ConfigureAwait(false);
        var tokens = services.GetRequiredService<TokenService>();
        var store = services.GetRequiredService<IAuthStore>();
        var users = services.GetRequiredService<UserService>();
        var subject = positional.Length > 2 ? positional[2] : "";

        switch (positional[0], positional[1])
        {
            case ("agent", "add") when !AgentIds.IsValid(subject):
                return await FailAsync(error, "agent_id: 1-64 characters of [A-Za-z0-9._-]").ConfigureAwait(false);
            case ("agent", "add"):
            case ("token", "add"):
                {
                    var role = positional[0] == "agent" ? TokenRoles.Agent : TokenRoles.Read;
                    if (role == TokenRoles.Read && UserService.UsernameProblem(subject) is { } problem)
                    {
                        return await FailAsync(error, problem.Replace("username", "name", StringComparison.Ordinal)).ConfigureAwait(false);
                    }

                    var token = await tokens.IssueAsync(role, subject, ct).ConfigureAwait(false);
                    if (token is null)
                    {
                        return await FailAsync(error, $"'{subject}' already has a live {role} token; revoke it first").ConfigureAwait(false);
                    }

                    await output.WriteLineAsync(token).ConfigureAwait(false);
                    await error.WriteLineAsync($"Issued a {role} token for '{subject}'. It is shown only now; store it safely.").ConfigureAwait(false);
                    return 0;
                }

            case ("agent", "revoke"):
            case ("token", "revoke"):
                {
                    var revoked = await tokens.RevokeAsync(positional[0] == "agent" ? TokenRoles.Agent : TokenRoles.Read, subject, ct).ConfigureAwait(false);
                    if (revoked == 0)
                    {
                        return await FailAsync(error, $"'{subject}' has no live token").ConfigureAwait(false);
                    }

                    await error.WriteLineAsync($"Revoked. Running servers refuse it within Auth:TokenCacheSeconds.").ConfigureAwait(false);
                    return 0;
                }

            case ("agent", "list"):
            case ("token", "list"):
                foreach (var t in await store.ListTokensAsync(positional[0] == "agent" ? TokenRoles.Agent : TokenRoles.Read, ct).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(
                        $"{t.Subject}\t{(t.RevokedAt is null ? "live" : "revoked " + WireTimestamp.ToWire(t.RevokedAt.Value))}\tcreated {WireTimestamp.ToWire(t.CreatedAt)}\tid {t.TokenId}").ConfigureAwait(false);
                }

                return 0;

            case ("user", "add"):
                {
                    if (UserService.UsernameProblem(subject) is { } problem)
                    {
                        return await FailAsync(error, problem).ConfigureAwait(false);
                    }

                    var generated = flags.Contains("--generate-password");
                    var password = generated
                        ? System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(15))
                        : await ReadPasswordAsync(input, error, flags.Contains("--password-stdin")).ConfigureAwait(false);
                    if (UserService.PasswordProblem(password) is { } weak)
                    {
                        return await FailAsync(error, weak).ConfigureAwait(false);
                    }

                    if (!await users.AddAsync(subject, password!, ct, flags.Contains("--admin") ? UserRoles.Admin : UserRoles.Reader).ConfigureAwait(false))
                    {
                        return await FailAsync(error, $"user '{subject}' exists").ConfigureAwait(false);
                    }

                    if (generated)
                    {
                        await output.WriteLineAsync(password).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync($"Added user '{subject}'.").ConfigureAwait(false);
                    return 0;
                }

            case ("user", "remove"):
                return await users.RemoveAsync(subject, ct).ConfigureAwait(false)
                    ? 0
                    : await FailAsync(error, $"no user '{subject}'").ConfigureAwait(false);

            case ("user", "passwd"):
                {
                    var password = await ReadPasswordAsync(input, error, flags.Contains("--password-stdin")).ConfigureAwait(false);
                    if (UserService.PasswordProblem(password) is { } weak)
                    {
                        return await FailAsync(error, weak).ConfigureAwait(false);
                    }

                    if (!await users.ChangePasswordAsync(subject, password!, ct).ConfigureAwait(false))
                    {
                        return await FailAsync(error, $"no user '{subject}'").ConfigureAwait(false);
                    }

                    await error.WriteLineAsync($"Changed the password of '{subject}'; their sessions are ended.").ConfigureAwait(false);
                    return 0;
                }

            case ("user", "role"):
                {
                    var role = positional.Length > 3 ? positional[3] : "";
                    if (!UserRoles.IsKnown(role))
                    {
                        return await FailAsync(error, $"role: '{role}' is not known; use '{UserRoles.Admin}' or '{UserRoles.Reader}'").ConfigureAwait(false);
                    }

                    if (!await users.SetRoleAsync(subject, role, ct).ConfigureAwait(false))
                    {
                        return await FailAsync(error, $"no user '{subject}'").ConfigureAwait(false);
                    }

                    await error.WriteLineAsync($"'{subject}' is now {role}; their sessions are ended.").ConfigureAwait(false);
                    return 0;
                }

            case ("user", "list"):
                foreach (var u in await store.ListUsersAsync(ct).ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"{u.Username}\t{u.Role}\tcreated {WireTimestamp.ToWire(u.CreatedAt)}").ConfigureAwait(false);
                }

                return 0;

            default:
                await error.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
        }
    }

    private static async Task<string?> ReadPasswordAsync(TextReader input, TextWriter error, bool fromStdin)
    {
        if (fromStdin || Console.IsInputRedirected)
        {
            return (await input.ReadLineAsync().ConfigureAwait(false))?.TrimEnd('\r');
        }

        var first = ReadHidden(error, "Password: ");
        var second = ReadHidden(error, "Again: ");
        return first == second ? first : throw new InvalidOperationException("the two passwords differ");
    }

    private static string ReadHidden(TextWriter error, string prompt)
    {
        error.Write(prompt);
        var text = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        error.WriteLine();
        return text.ToString();
    }

    private static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync("ss-server: " + message).ConfigureAwait(false);
        return 1;
    }

    /// <summary>
    /// One maintenance run under the same lease as the servers' own. It waits for the lease up to the lease's time (a
    /// holder that died frees it by then); a holder still renewing it is running maintenance now: exit 3.
    /// </summary>
    private static async Task<int> MaintenanceAsync(string[] settings, TextWriter output, TextWriter error)
    {
        await using var app = ServerApp.Build(settings.Concat(["--Logging:LogLevel:Default", "Warning"]).ToArray());
        var services = app.Services;
        var leaseTime = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<RetentionOptions>>().Value.LeaseSeconds);
        var clock = services.GetRequiredService<TimeProvider>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromHours(6));
        var lease = new Lease(services.GetRequiredService<SqlLeaseStore>(), MaintenanceWorker.LeaseName, leaseTime, clock);
        var giveUpAt = clock.GetUtcNow() + leaseTime + TimeSpan.FromSeconds(2);
        MaintenanceResult? result;
        while ((result = await MaintenanceWorker.RunIfLeaderAsync(services.GetRequiredService<MaintenanceJob>(), lease, cancel.Token).ConfigureAwait(false)) is null)
        {
            if (clock.GetUtcNow() > giveUpAt)
            {
                await error.WriteLineAsync("ss-server: a server process is running maintenance now (lease 'maintenance'); try again later").ConfigureAwait(false);
                return 3;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancel.Token).ConfigureAwait(false);
        }

        await output.WriteLineAsync(result.ToJson()).ConfigureAwait(false);
        return 0;
    }
}
