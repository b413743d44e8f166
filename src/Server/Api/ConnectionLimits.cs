using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace StackScope.Server.Api;

/// <summary>
/// Kestrel's connection limits and timeouts, from <c>Kestrel:Limits:*</c> with safe defaults. Kestrel has no
/// connection limit of its own: about 20,000 idle sockets reached the open-file limit and the runtime aborted.
/// The default limit is derived from this process's own open-file limit, keeping a reserve for the database,
/// files and logs, so no host's limit can be pushed past by connections alone; past it new connections are
/// closed at once and the process, its health check and the connections already open carry on.
/// </summary>
internal static partial class ConnectionLimits
{
    public const string SectionName = "Kestrel:Limits";
    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultRequestHeadersTimeout = TimeSpan.FromSeconds(10);

    public static void Apply(KestrelServerLimits limits, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        limits.KeepAliveTimeout = DefaultKeepAliveTimeout;
        limits.RequestHeadersTimeout = DefaultRequestHeadersTimeout;
        var fromFiles = OpenFileLimit() is { } files ? DefaultMaxConnections(files, OpenDescriptors()) : (long?)null;
        limits.MaxConcurrentConnections = fromFiles;
        limits.MaxConcurrentUpgradedConnections = fromFiles;
        // What the operator set wins (same keys as Kestrel's documentation: Kestrel:Limits:MaxConcurrentConnections, ...).
        section.Bind(limits);
    }

    /// <summary>
    /// What is left of the open-file limit after the descriptors already open (the runtime holds one per loaded
    /// assembly: about 270 at start) and a reserve of an eighth, at least 512, for assemblies still to load, the
    /// database pool, files and logs.
    /// </summary>
    public static long DefaultMaxConnections(long openFileLimit, long openNow) =>
        Math.Max(16, openFileLimit - openNow - Math.Max(512, openFileLimit / 8));

    private static long OpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 512;
        }
    }

    /// <summary>The soft "Max open files" of /proc/self/limits; null where it cannot be read or is unlimited.</summary>
    public static long? OpenFileLimit(string limitsPath = "/proc/self/limits")
    {
        try
        {
            return ParseOpenFileLimit(File.ReadAllText(limitsPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static long? ParseOpenFileLimit(string limits)
    {
        foreach (var line in limits.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("Max open files"))
            {
                continue;
            }

            var soft = line["Max open files".Length..].Trim().ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }

        return null;
    }

    /// <summary>One line at start, so an operator sees what the limits came to on this host.</summary>
    public static void LogEffective(IServiceProvider services)
    {
        var limits = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KestrelServerOptions>>().Value.Limits;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConnectionLimits));
        var maxConnections = limits.MaxConcurrentConnections?.ToString(CultureInfo.InvariantCulture) ?? "no limit";
        var openFiles = OpenFileLimit()?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        LogLimits(logger, maxConnections, openFiles, limits.KeepAliveTimeout.TotalSeconds, limits.RequestHeadersTimeout.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connections: at most {MaxConnections} at once (open-file limit {OpenFiles}); keep-alive {KeepAliveSeconds} s, request headers within {HeadersSeconds} s")]
    private static partial void LogLimits(ILogger logger, string maxConnections, string openFiles, double keepAliveSeconds, double headersSeconds);
}
