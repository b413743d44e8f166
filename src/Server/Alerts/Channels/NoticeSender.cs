using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace StackScope.Server.Alerts.Channels;

/// <summary>
/// Delivers one notice to one channel, or throws with the receiver's answer. Webhook (StackScope's JSON or
/// Alertmanager's payload), Slack-compatible incoming webhook, ntfy, and mail over SMTP (MailKit).
/// </summary>
internal sealed class NoticeSender(IHttpClientFactory http, Microsoft.Extensions.Options.IOptions<AlertOptions> settings)
{
    public const string HttpClientName = "alerts";

    private AlertOptions Options => settings.Value;

    public async Task SendAsync(ChannelSpec channel, Notice notice, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.SendTimeoutSeconds));
        try
        {
            switch (channel.Type)
            {
                case ChannelTypes.Email:
                    await SendMailAsync(channel, notice, timeout.Token).ConfigureAwait(false);
                    break;
                case ChannelTypes.Ntfy:
                    await PostAsync(channel, Ntfy(notice), timeout.Token).ConfigureAwait(false);
                    break;
                case ChannelTypes.Slack:
                    await PostAsync(channel, Json(JsonSerializer.Serialize(new SlackMessage(SlackText.Message(notice)), AlertsJsonContext.Default.SlackMessage)),
                        timeout.Token).ConfigureAwait(false);
                    break;
                default:
                    var body = channel.Format == "alertmanager"
                        ? JsonSerializer.Serialize(AlertmanagerPayload.From(notice, Options.ExternalUrl), AlertsJsonContext.Default.AlertmanagerPayload)
                        : JsonSerializer.Serialize(notice, AlertsJsonContext.Default.Notice);
                    await PostAsync(channel, Json(body), timeout.Token, notice.Id).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ChannelFailedException($"no answer within {Options.SendTimeoutSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            throw new ChannelFailedException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or MailKit.ServiceNotConnectedException
            or AuthenticationException or SslHandshakeException or System.Net.Sockets.SocketException or IOException)
        {
            throw new ChannelFailedException($"SMTP {channel.SmtpHost}:{channel.SmtpPort}: {ex.Message}", ex);
        }
        catch (NotSupportedException ex) when (channel.Type == ChannelTypes.Email)
        {
            // MailKit's word for a server that does not offer what the channel asks (AUTH, STARTTLS): no retry changes that.
            throw new ChannelFailedException($"SMTP {channel.SmtpHost}:{channel.SmtpPort}: {ex.Message}", ex, permanent: true);
        }
        catch (Exception ex) when (ex is not ChannelFailedException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            // Anything else is this notice or this channel's settings that cannot be sent (a header .NET refuses, an
            // address MimeKit cannot parse): sending it again would fail the same way.
            throw new ChannelFailedException($"{ex.GetType().Name}: {ex.Message}", ex, permanent: true);
        }
    }

    private static StringContent Json(string body) => new StringContent(body, Encoding.UTF8, "application/json");

    private static StringContent Ntfy(Notice notice)
    {
        var content = new StringContent(notice.Text(), Encoding.UTF8, "text/plain");
        // HTTP headers are ASCII: a title with other characters (a container "café", a disk "/media/Données") goes as an
        // RFC 2047 encoded word, which ntfy decodes; so does one that merely looks like an encoded word.
        content.Headers.Add("Title", HeaderText.Ascii(notice.Title()));
        content.Headers.Add("Priority", notice.Kind == NoticeKinds.Firing || notice.Kind == NoticeKinds.Repeat
            ? notice.Severity == AlertSeverities.Critical ? "5" : "4"
            : "3");
        content.Headers.Add("Tags", notice.Kind switch
        {
            NoticeKinds.Resolved => "white_check_mark",
            NoticeKinds.Firing or NoticeKinds.Repeat => "rotating_light",
            _ => "information_source",
        });
        return content;
    }

    private async Task PostAsync(ChannelSpec channel, HttpContent content, CancellationToken ct, string? noticeId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = content };
        // HttpClient ignores a URL's user:password; receivers behind basic authentication expect it as curl sends it.
        if (Uri.TryCreate(channel.Url, UriKind.Absolute, out var uri) && uri.UserInfo is { Length: > 0 } userInfo)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(userInfo))));
        }

        if (noticeId is not null)
        {
            request.Headers.Add("X-StackScope-Notice-Id", noticeId);
        }

        using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            // A receiver that refuses this request (4xx) will refuse it again; only time-outs and rate limits are worth
            // retrying among them, as Alertmanager's notifiers also judge.
            throw new ChannelFailedException($"HTTP {status} from {Redact(channel.Url)}: {YamlFields.Short(text.ReplaceLineEndings(" "))}",
                permanent: status is >= 400 and < 500 and not (408 or 425 or 429));
        }
    }

    private static async Task SendMailAsync(ChannelSpec channel, Notice notice, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(channel.From ?? ""));
        foreach (var to in channel.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Headers.Replace(HeaderText.Subject(notice.Title()));
        message.Headers.Add("X-StackScope-Notice-Id", notice.Id);
        message.Body = new TextPart("plain") { Text = notice.Text() };
        using var smtp = new SmtpClient();
        var security = channel.SmtpSecurity switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await smtp.ConnectAsync(channel.SmtpHost ?? "", channel.SmtpPort ?? 587, security, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(channel.SmtpUsername))
        {
            await smtp.AuthenticateAsync(channel.SmtpUsername, channel.SmtpPassword ?? "", ct).ConfigureAwait(false);
        }

        await smtp.SendAsync(message, ct).ConfigureAwait(false);
        await smtp.DisconnectAsync(quit: true, ct).ConfigureAwait(false);
    }

    /// <summary>A URL as the alerts page may show it: chat webhooks carry their secret in the path.</summary>
    public static string Redact(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "";
}

internal sealed class ChannelFailedException : Exception
{
    public ChannelFailedException()
    {
    }

    public ChannelFailedException(string message) : base(message)
    {
    }

    public ChannelFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ChannelFailedException(string message, Exception? innerException = null, bool permanent = false) : base(message, innerException) =>
        Permanent = permanent;

    /// <summary>Sending the same notice again cannot succeed: it is parked instead of retried.</summary>
    public bool Permanent { get; }
}

internal sealed record SlackMessage([property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text);
