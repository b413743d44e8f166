namespace StackScope.Contracts.Tests;

/// <summary>The original system's sample request and response, copied from ../shared/seed at build.</summary>
internal static class SeedFiles
{
    public static string Request => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", "monitor-info.request.json"));

    public static string Response => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", "monitor-info.response.json"));
}
