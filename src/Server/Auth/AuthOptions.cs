namespace StackScope.Server.Auth;

/// <summary>Settings under "Auth". Nothing is open unless <see cref="Mode"/> says so.</summary>
internal sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary><see cref="AuthModes.Token"/> (the default) or <see cref="AuthModes.Open"/> for an isolated lab.</summary>
    public string Mode { get; set; } = AuthModes.Token;

    /// <summary>Failed sign-ins and bad tokens one client address may make per window before it is answered 429.</summary>
    public int MaxFailures { get; set; } = 10;

    public int FailureWindowSeconds { get; set; } = 60;

    /// <summary>How long a verified token is trusted without asking storage again: the delay before a revocation bites.</summary>
    public int TokenCacheSeconds { get; set; } = 10;

    /// <summary>Where the keys that sign session cookies live; empty for "data/keys" under the working directory.</summary>
    public string KeysPath { get; set; } = "";

    public int SessionHours { get; set; } = 12;

    /// <summary>How long a session found in storage is trusted before it is asked again: the delay before a sign-out
    /// elsewhere, a user's removal or a password change ends a copied cookie on this process.</summary>
    public int SessionCheckSeconds { get; set; } = 5;

    /// <summary>
    /// Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the real client: the throttle and
    /// the logs then see that client. Empty (the default): forwarded headers are ignored from everyone.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    public bool IsOpen => string.Equals(Mode.Trim(), AuthModes.Open, StringComparison.OrdinalIgnoreCase);
}

internal static class AuthModes
{
    public const string Token = "token";
    public const string Open = "open";
}
