using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace StackScope.Agent.Delivery;

/// <summary>
/// The HTTP client the agent talks to ss-server with: keep-alive, its bearer token on every request, and, when
/// given a CA file, a certificate check against that CA alone (the host name must still match).
/// </summary>
internal static class ServerConnection
{
    public static HttpClient Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            // Keep-alive, but re-resolve now and then so a moved server is found again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (options.CaFile.Length > 0)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && IsSignedBy(certificate, errors, authorities);
        }

        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds) };
        if (ReadToken(options) is { Length: > 0 } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>The token from Agent:Token, else the first line of Agent:TokenFile; empty when neither is set.</summary>
    public static string ReadToken(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TokenFile.Length > 0
            ? File.ReadLines(options.TokenFile).FirstOrDefault()?.Trim() ?? ""
            : options.Token.Trim();
    }

    private static bool IsSignedBy(X509Certificate certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        // Only the chain may fail the system's check (an unknown root); a wrong host name or no certificate may not.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
