using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>Paging of a list answer; serialized as <c>{}</c> when the answer is not a list.</summary>
public sealed record PageInfo
{
    public static readonly PageInfo None = new();

    [JsonPropertyName("page")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Page { get; init; }

    [JsonPropertyName("size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Size { get; init; }

    [JsonPropertyName("totalCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TotalCount { get; init; }

    [JsonPropertyName("totalPages")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalPages { get; init; }
}
