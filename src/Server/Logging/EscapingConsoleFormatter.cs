using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StackScope.Contracts;

namespace StackScope.Server.Logging;

/// <summary>
/// One line per entry, like the simple formatter with SingleLine, but every control character a message or an
/// exception carries is written escaped (<c>\r</c>, <c>\u001b</c>): values from requests (paths, names) end up in
/// log lines, and the simple formatter only folds newlines, so a <c>\r</c> let a client print a forged line.
/// </summary>
internal sealed class EscapingConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "stackscope";

    private readonly IDisposable? _reload;
    private SimpleConsoleFormatterOptions _options;

    public EscapingConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var line = new StringBuilder(128);
        if (_options.TimestampFormat is { } format)
        {
            var now = _options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }

        line.Append(Level(logEntry.LogLevel)).Append(": ").Append(logEntry.Category)
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        LogText.AppendEscaped(line, message);
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ');
            LogText.AppendEscaped(line, exception.ToString());
        }

        textWriter.WriteLine(line.ToString());
    }

    public void Dispose() => _reload?.Dispose();

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
