using System.Globalization;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>One row of <c>docker stats --no-stream</c>: what operators compare StackScope with.</summary>
public sealed record DockerStatsRow(string Name, double CpuPercent, double MemoryMiB)
{
    public const string Format = "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}";

    public static Dictionary<string, DockerStatsRow> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .Select(p => new DockerStatsRow(p[0], double.Parse(p[1].TrimEnd('%'), CultureInfo.InvariantCulture), MiB(p[2].Split('/')[0].Trim())))
            .ToDictionary(r => r.Name);

    private static double MiB(string size)
    {
        var units = new (string Suffix, double Factor)[] { ("GiB", 1024), ("MiB", 1), ("KiB", 1.0 / 1024), ("B", 1.0 / (1024 * 1024)) };
        var (suffix, factor) = units.First(u => size.EndsWith(u.Suffix, StringComparison.Ordinal));
        return double.Parse(size[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
    }
}
