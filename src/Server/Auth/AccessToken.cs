using System.Security.Cryptography;

namespace StackScope.Server.Auth;

/// <summary>What a token lets its holder do.</summary>
internal static class TokenRoles
{
    /// <summary>Writes reports, only for its own agent_id.</summary>
    public const string Agent = "agent";

    /// <summary>Reads the query API.</summary>
    public const string Read = "read";

    /// <summary>A signed-in user with the admin role: manages alert rules, channels and silences (never a token).</summary>
    public const string Admin = "admin";
}

/// <summary>
/// A bearer token: <c>ss{a|r}_{id}_{secret}</c>. The id (public, 12 hex digits) finds the stored row; the secret
/// (32 random bytes) is kept only as its SHA-256. A slow hash buys nothing for 256 random bits, and would put
/// tens of milliseconds on every agent request.
/// </summary>
internal readonly record struct AccessToken(string Role, string Id, string Secret)
{
    private const int IdHexLength = 12;

    public override string ToString() => $"{Prefix(Role)}_{Id}_{Secret}";

    public static AccessToken Create(string role) => new(
        role,
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdHexLength / 2)),
        System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));

    public static bool TryParse(string? text, out AccessToken token)
    {
        token = default;
        if (text is null || text.Length < 4 + IdHexLength + 2 || text[3] != '_' || text[4 + IdHexLength] != '_')
        {
            return false;
        }

        var role = text[..3] switch
        {
            "ssa" => TokenRoles.Agent,
            "ssr" => TokenRoles.Read,
            _ => null,
        };
        var id = text.Substring(4, IdHexLength);
        var secret = text[(5 + IdHexLength)..];
        if (role is null || !id.All(char.IsAsciiHexDigitLower) || secret.Length is 0 or > 128)
        {
            return false;
        }

        token = new AccessToken(role, id, secret);
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    private static string Prefix(string role) => role == TokenRoles.Agent ? "ssa" : "ssr";
}
