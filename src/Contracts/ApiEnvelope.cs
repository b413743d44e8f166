using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>
/// Every answer of ss-server, success or failure, as the original system shaped it:
/// <c>{"data","pageInfo","resultCode","resultMessage","success"}</c>.
/// </summary>
public sealed record ApiEnvelope<T>
{
    [JsonPropertyName("data")]
    public required T Data { get; init; }

    [JsonPropertyName("pageInfo")]
    public PageInfo PageInfo { get; init; } = PageInfo.None;

    /// <summary>"0" on success, otherwise one of <see cref="ResultCodes"/>.</summary>
    [JsonPropertyName("resultCode")]
    public required string ResultCode { get; init; }

    [JsonPropertyName("resultMessage")]
    public string ResultMessage { get; init; } = "";

    [JsonPropertyName("success")]
    public required bool Success { get; init; }
}
