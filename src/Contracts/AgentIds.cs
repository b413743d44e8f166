namespace StackScope.Contracts;

/// <summary>The form an <c>agent_id</c> takes: 1-64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
public static class AgentIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
