namespace StackScope.Contracts;

/// <summary>
/// The rules for a container's <c>labels</c>, stated once: the server refuses a report that breaks them, the agent
/// leaves out a label that would. Labels scope alert rules and let a container opt out of alerts
/// (<c>stackscope.alert.ignore</c>), so only the ones the agent is told to forward travel.
/// </summary>
public static class ContainerLabels
{
    public const int MaxCount = 32;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    public static bool IsValidKey(string key) =>
        key is { Length: > 0 and <= MaxKeyLength } && !key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c));

    public static bool IsValidValue(string value) =>
        value is { Length: <= MaxValueLength } && !value.Any(char.IsControl);
}
