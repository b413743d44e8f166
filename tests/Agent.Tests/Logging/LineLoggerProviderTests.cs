using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Logging;

namespace StackScope.Agent.Tests.Logging;

#pragma warning disable CA1848 // the tests log as any caller may, not through source-generated delegates

public sealed class LineLoggerProviderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 15, 30, TimeSpan.Zero);

    [Fact]
    public void An_entry_is_one_line_with_the_utc_time_level_category_and_event()
    {
        var output = new StringWriter();
        using (var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now)))
        {
            provider.CreateLogger("StackScope.Agent.Delivery.DeliveryWorker").Log(LogLevel.Warning, new EventId(7), "server away: {Reason}", "refused");
        }

        Assert.Equal("2026-11-27 10:15:30 warn: StackScope.Agent.Delivery.DeliveryWorker[7] server away: refused" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void An_exception_follows_its_entry_and_every_level_has_its_short_name()
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("c");
        logger.LogError(new InvalidOperationException("spool unwritable"), "delivery stopped");
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal("2026-11-27 10:15:30 fail: c[0] delivery stopped", lines[0]);
        Assert.StartsWith("System.InvalidOperationException: spool unwritable", lines[1], StringComparison.Ordinal);

        Assert.Equal(
            ["trce", "dbug", "info", "warn", "fail", "crit"],
            new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical }.Select(LineLoggerProvider.Short));
        Assert.False(logger.IsEnabled(LogLevel.None));
    }

    [Fact]
    public void Control_characters_from_outside_are_escaped_so_no_value_or_exception_forges_a_line()
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("c");
        // An engine's error text (a remote or hostile engine chooses it) with a forged entry and a terminal escape.
        logger.LogWarning(new IOException("bad\r\n2026-11-27 10:15:30 crit: forged"), "engine answered {Text}", "x\n2026-11-27 10:15:30 info: forged\u001b[2J");
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(@"2026-11-27 10:15:30 warn: c[0] engine answered x\n2026-11-27 10:15:30 info: forged\u001b[2J", lines[0]);
        Assert.StartsWith(@"System.IO.IOException: bad\r\n2026-11-27 10:15:30 crit: forged", Assert.Single(lines[1..]), StringComparison.Ordinal);
    }

    [Fact]
    public void Levels_come_from_the_logging_configuration()
    {
        var output = new StringWriter();
        using (var factory = LoggerFactory.Create(b => b
            .AddProvider(new LineLoggerProvider(output, new FakeTimeProvider(Now)))
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .SetMinimumLevel(LogLevel.Information)))
        {
            factory.CreateLogger("Microsoft.Hosting.Lifetime").LogInformation("Application started");
            factory.CreateLogger("StackScope.Agent.SamplingWorker").LogDebug("cycle");
            factory.CreateLogger("StackScope.Agent.SamplingWorker").LogInformation("sampling every 10 s");
        }

        Assert.Equal("2026-11-27 10:15:30 info: StackScope.Agent.SamplingWorker[0] sampling every 10 s" + Environment.NewLine, output.ToString());
    }
}
