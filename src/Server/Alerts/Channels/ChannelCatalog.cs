using System.Text.Json;
using StackScope.Server.Storage;

namespace StackScope.Server.Alerts.Channels;

/// <summary>
/// The channels: those of configuration (<c>Alerts:Channels:&lt;name&gt;:Type</c>, <c>Url</c>, <c>Format</c>, and for
/// email <c>SmtpHost</c>, <c>SmtpPort</c>, <c>SmtpSecurity</c>, <c>SmtpUsername</c>, <c>SmtpPassword</c>, <c>From</c>,
/// <c>To</c> comma-separated), checked at start and read-only, and those made through the API, kept in the database.
/// </summary>
internal sealed class ChannelCatalog
{
    public const string Table = "alert_channel";

    private readonly SqlAlertStore _store;

    public ChannelCatalog(IConfiguration configuration, SqlAlertStore store)
    {
        _store = store;
        Configured = configuration.GetSection($"{AlertOptions.SectionName}:Channels").GetChildren().Select(section =>
        {
            string? Get(string key) => section[key] is { Length: > 0 } value ? value : null;
            var port = Get("SmtpPort");
            return ChannelParser.Check(new ChannelSpec
            {
                Name = section.Key,
                Type = (Get("Type") ?? "").ToLowerInvariant(),
                Url = Get("Url"),
                Format = Get("Format"),
                SmtpHost = Get("SmtpHost"),
                SmtpPort = port is null ? null : int.TryParse(port, out var p) ? p : -1,
                SmtpSecurity = Get("SmtpSecurity"),
                SmtpUsername = Get("SmtpUsername"),
                SmtpPassword = Get("SmtpPassword"),
                From = Get("From"),
                To = (Get("To") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Source = "config",
            }, field => $"{AlertOptions.SectionName}:Channels:{section.Key}:{ConfigKey(field)}");
        }).ToList();
    }

    public IReadOnlyList<ChannelSpec> Configured { get; }

    public async Task<IReadOnlyList<ChannelSpec>> AllAsync(CancellationToken ct)
    {
        var stored = (await _store.DefinitionsAsync(Table, ct).ConfigureAwait(false))
            .Select(d => JsonSerializer.Deserialize(d.Definition, AlertsJsonContext.Default.ChannelSpec)!)
            .Where(c => !Configured.Any(k => k.Name == c.Name));
        return [.. Configured, .. stored];
    }

    private static string ConfigKey(string field) => field switch
    {
        "smtp_host" => "SmtpHost",
        "smtp_port" => "SmtpPort",
        "smtp_security" => "SmtpSecurity",
        "smtp_username" => "SmtpUsername",
        "smtp_password" => "SmtpPassword",
        _ => char.ToUpperInvariant(field[0]) + field[1..],
    };
}
