using System.Globalization;

namespace StackScope.Bench.Ingest;

internal sealed class BenchArgs(Dictionary<string, string> values)
{
    public static BenchArgs Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                key = arg[2..];
                values[key] = "true";
            }
            else if (key is not null)
            {
                values[key] = arg;
                key = null;
            }
        }

        return new BenchArgs(values);
    }

    public string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;

    public string Require(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public double Number(string name, double fallback) =>
        values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
