namespace StackScope.Server.Auth;

internal static class AuthSchemes
{
    /// <summary>Picks <see cref="Bearer"/> when an Authorization header is present, else the session cookie.</summary>
    public const string Default = "stackscope";

    public const string Bearer = "Bearer";

    public const string Session = "Session";

    /// <summary>Who may write reports (a role claim of <see cref="TokenRoles.Agent"/>).</summary>
    public const string AgentPolicy = "agent";

    /// <summary>Who may read (a user's session or a read token).</summary>
    public const string ReaderPolicy = "reader";

    /// <summary>Who may change alert rules, channels and silences (a user with the admin role).</summary>
    public const string AdminPolicy = "admin";

    /// <summary>The agent_id an agent token may write.</summary>
    public const string AgentIdClaim = "stackscope:agent_id";

    public const string CsrfHeader = "X-CSRF-TOKEN";
}
