using System.Net.Mail;
using StackScope.Server.Api;

namespace StackScope.Server.Alerts.Channels;

/// <summary>Checks a channel from the API (JSON or YAML) or from configuration, naming the field of each mistake.</summary>
internal static class ChannelParser
{
    private static readonly string[] Fields =
        ["name", "type", "url", "format", "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password", "from", "to"];

    public static ChannelSpec Parse(string name, string text)
    {
        var root = YamlFields.Load(text, "body") ?? throw RuleProblem.At("body", "expected a channel");
        var f = new YamlFields(root, "", Fields);
        if (f.String("name") is { } named && named != name)
        {
            throw RuleProblem.At("name", $"'{YamlFields.Short(named)}' differs from the name in the path '{name}'");
        }

        return Check(new ChannelSpec
        {
            Name = name,
            Type = f.RequiredString("type"),
            Url = f.String("url"),
            Format = f.String("format"),
            SmtpHost = f.String("smtp_host"),
            SmtpPort = f.Integer("smtp_port"),
            SmtpSecurity = f.String("smtp_security"),
            SmtpUsername = f.String("smtp_username"),
            SmtpPassword = f.String("smtp_password"),
            From = f.String("from"),
            To = f.Strings("to"),
        }, field => field);
    }

    /// <summary>The channel with its defaults, or an error naming the field as <paramref name="fieldName"/> spells it.</summary>
    public static ChannelSpec Check(ChannelSpec c, Func<string, string> fieldName)
    {
        ApiProblemException Bad(string field, string message) => RuleProblem.At(fieldName(field), message);
        if (!RuleParser.IsValidName(c.Name))
        {
            throw Bad("name", "1-64 characters of letters, digits and . _ - (starting with a letter or digit)");
        }

        if (!ChannelTypes.All.Contains(c.Type))
        {
            throw Bad("type", $"unknown '{YamlFields.Short(c.Type)}'; one of {string.Join(", ", ChannelTypes.All)}");
        }

        if (c.Type == ChannelTypes.Email)
        {
            if (string.IsNullOrWhiteSpace(c.SmtpHost) || c.SmtpHost.Length > 255)
            {
                throw Bad("smtp_host", "required for email: the SMTP server's host name");
            }

            if (c.SmtpPort is < 1 or > 65535)
            {
                throw Bad("smtp_port", "must be 1-65535");
            }

            var security = c.SmtpSecurity ?? "auto";
            if (security is not ("auto" or "none" or "starttls" or "tls"))
            {
                throw Bad("smtp_security", "one of auto, none, starttls, tls");
            }

            if (!IsAddress(c.From))
            {
                throw Bad("from", "required for email: the sender's address");
            }

            if (c.To.Count == 0 || c.To.Count > 50 || c.To.Any(a => !IsAddress(a)))
            {
                throw Bad("to", "1-50 recipient addresses");
            }

            return c with { SmtpPort = c.SmtpPort ?? (security == "tls" ? 465 : 587), SmtpSecurity = security, Url = null, Format = null };
        }

        if (c.Url is null || c.Url.Length > 2048 || !Uri.TryCreate(c.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw Bad("url", "required: an absolute http(s) URL");
        }

        var format = c.Format ?? "json";
        if (c.Type == ChannelTypes.Webhook ? format is not ("json" or "alertmanager") : c.Format is not null)
        {
            throw Bad("format", c.Type == ChannelTypes.Webhook ? "json or alertmanager" : "applies to webhook channels only");
        }

        return c with { Format = c.Type == ChannelTypes.Webhook ? format : null };
    }

    private static bool IsAddress(string? text) =>
        text is { Length: > 0 and <= 320 } && MailAddress.TryCreate(text, out _);
}
