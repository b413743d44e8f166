using System.Globalization;
using System.Text;
using StackScope.Contracts;

namespace StackScope.Agent.Logging;

/// <summary>
/// One line per entry, as the console logger's "simple" single-line format with UTC timestamps writes it
/// (<c>2026-11-27 10:00:00 warn: Category[0] message</c>, an exception on the line after), control characters escaped
/// as the server's log lines have them (<see cref="LogText"/>), the exception's line breaks too: its message may be an
/// engine's. Written by hand because Microsoft.Extensions.Logging.Console, with its formatters, options and queue
/// thread, kept the agent over its 14 MB RSS target: without it (and with the settings read as a stream) 13.9 MB
/// instead of 14.4 (BENCHMARKS.md, "Agent memory: its own log lines"). Entries are written as they come: the agent logs
/// a few lines an hour, not enough to need the console logger's queue.
/// </summary>
internal sealed class LineLoggerProvider(TextWriter output, TimeProvider clock) : ILoggerProvider
{
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            output.Flush();
        }
    }

    private void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var line = new StringBuilder(128).Append(CultureInfo.InvariantCulture, $"{clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} {Short(level)}: {category}[{eventId.Id}] ");
        LogText.AppendEscaped(line, message);
        if (exception is not null)
        {
            LogText.AppendEscaped(line.AppendLine(), exception.ToString());
        }

        lock (_gate)
        {
            output.WriteLine(line.ToString());
            output.Flush();
        }
    }

    internal static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        // Levels are filtered by the logging configuration (Logging:LogLevel) before an entry gets here.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
