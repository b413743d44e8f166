using System.Text.Json.Serialization;
using StackScope.Contracts;

namespace StackScope.Server.Auth;

internal sealed record SignInRequest(string? Username, string? Password);

/// <summary>What the dashboard needs at load: whether sign-in is on, who is signed in, the CSRF token for its POSTs.</summary>
internal sealed record SessionView(string Mode, bool SignedIn, string? Username, string? CsrfToken)
{
    public bool Admin { get; init; }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(ApiEnvelope<SessionView>))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
