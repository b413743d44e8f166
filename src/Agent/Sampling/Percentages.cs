namespace StackScope.Agent.Sampling;

/// <summary>
/// Two decimals, half to even, as the docker CLI's "%.2f" (Go formats the exact value, so 0.125 -> 0.12) and
/// psutil's round() do; away from zero would put 0.13 where both show 0.12.
/// </summary>
internal static class Percentages
{
    public static double Round(double percent) => Math.Round(percent, 2, MidpointRounding.ToEven);
}
