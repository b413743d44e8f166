using System.Text.Json;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Storage;

namespace StackScope.Server.Alerts;

/// <summary>
/// Where the rules live: the database (managed in the dashboard and API; the defaults stored at the first start), or a
/// YAML file when <c>Alerts:RulesFile</c> is set, which is then the source of truth (read-only through the API, read
/// again when it changes; a broken edit keeps the last good rules and is logged).
/// </summary>
internal sealed partial class RuleBook(IOptions<AlertOptions> options, SqlAlertStore store, TimeProvider clock, ILogger<RuleBook> logger)
{
    public const string Table = "alert_rule";

    private (DateTime Written, IReadOnlyList<AlertRule> Rules)? _file;
    private volatile bool _seeded;

    public string? FilePath => options.Value.RulesFile is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>Changes whenever the rules or channels may have changed.</summary>
    public async Task<string> VersionAsync(CancellationToken ct) =>
        (FilePath is { } path ? File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) : "db")
        + "/" + await store.SettingAsync("config_version", ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<AlertRule>> RulesAsync(CancellationToken ct)
    {
        if (FilePath is { } path)
        {
            return ReadFile(path);
        }

        // Asked of storage until it says the defaults are in; then never again in this process.
        if (!_seeded)
        {
            if (await store.SettingAsync("defaults_seeded", ct).ConfigureAwait(false) is null
                && await store.AddSettingAsync("defaults_seeded", "1", ct).ConfigureAwait(false))
            {
                await SaveAsync(DefaultRules.All, replaceAll: false, ct).ConfigureAwait(false);
            }

            _seeded = true;
        }

        return (await store.DefinitionsAsync(Table, ct).ConfigureAwait(false)).Select(d => RuleParser.ParseOne(d.Definition)).ToList();
    }

    /// <summary>A rules file that does not exist or does not parse stops the server at start, named.</summary>
    public void CheckFileAtStart()
    {
        if (FilePath is not { } path)
        {
            return;
        }

        try
        {
            ReadFile(path);
        }
        catch (Exception ex) when (ex is ApiProblemException or IOException)
        {
            throw new InvalidOperationException($"Alerts:RulesFile {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads the rules file; at start a broken file stops the server, later the last good rules stay.</summary>
    public IReadOnlyList<AlertRule> ReadFile(string path)
    {
        var written = File.GetLastWriteTimeUtc(path);
        if (_file is { } cached && cached.Written == written)
        {
            return cached.Rules;
        }

        try
        {
            var rules = RuleParser.ParseMany(File.ReadAllText(path), "rules file");
            _file = (written, rules);
            return rules;
        }
        catch (Exception ex) when (_file is { } last && ex is ApiProblemException or IOException)
        {
            LogFileRejected(logger, path, ex.Message);
            _file = (written, last.Rules);
            return last.Rules;
        }
    }

    public async Task SaveAsync(IReadOnlyList<AlertRule> rules, bool replaceAll, CancellationToken ct)
    {
        RequireDatabase();
        if (!replaceAll)
        {
            var names = rules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var kept = (await RulesAsync(ct).ConfigureAwait(false)).Where(r => !names.Contains(r.Name));
            PatternLimits.CheckTotal(kept.Concat(rules), "scope");
        }

        await store.SaveDefinitionsAsync(Table, rules.Select(r => (r.Name, JsonSerializer.Serialize(r, AlertsJsonContext.Default.AlertRule))).ToList(),
            replaceAll, clock.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        RequireDatabase();
        return store.DeleteDefinitionAsync(Table, name, ct);
    }

    private void RequireDatabase()
    {
        if (FilePath is { } path)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, ResultCodes.Conflict,
                $"rules: kept in the file {path} (Alerts:RulesFile); edit the file, the server reads it again when it changes");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerts: the rules file {Path} was not read, the last good rules stay: {Problem}")]
    private static partial void LogFileRejected(ILogger logger, string path, string problem);
}
