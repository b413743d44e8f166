using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using StackScope.Contracts;
using StackScope.Server.Alerts.Channels;
using StackScope.Server.Api;
using StackScope.Server.Auth;
using StackScope.Server.Query;
using StackScope.Server.Storage;

namespace StackScope.Server.Alerts;

/// <summary>
/// Alerts over the API: incidents (firing and past), rules (also as YAML, import and export), channels with a "send
/// test" action, silences and acknowledgements. Readers see everything (channel secrets redacted); changes need the
/// admin role and, from a browser session, the CSRF header.
/// </summary>
internal static class AlertEndpoints
{
    private const int MaxBodyBytes = 256 * 1024;
    private const int MaxSilenceDays = 366;

    // Every silence in force is matched against every alert target at each pass: bounded like the rules' patterns.
    private const int MaxSilences = 1000;

    private static readonly int[] ReadErrors =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status503ServiceUnavailable,
    ];

    private static readonly int[] WriteErrors =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable,
    ];

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireAuthorization(AuthSchemes.ReaderPolicy);
        var write = app.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireAuthorization(AuthSchemes.AdminPolicy)
            .AddEndpointFilter(RequireCsrfForSessionsAsync);

        read.MapGet("/incidents", IncidentsAsync)
            .WithSummary("Incidents, newest first: state=firing (open), resolved, or all; of one agent (agent) and/or container (container).")
            .Produces<ApiEnvelope<IReadOnlyList<IncidentView>>>()
            .WithQueryParameters(new QueryParameterDoc("state", QueryParameterKind.Text, "firing, resolved or all (default all)."),
                new QueryParameterDoc("agent", QueryParameterKind.Text, "Only this agent's incidents."), QueryParameterDoc.EventContainer,
                QueryParameterDoc.Page, QueryParameterDoc.Size)
            .ProducesErrors(ReadErrors);
        write.MapPost("/incidents/{id:long}/ack", AckAsync)
            .WithSummary("Acknowledges an incident: its target's notices stay quiet for minutes (default 60); its resolution is still told.")
            .Accepts<AckRequest>("application/json")
            .Produces<ApiEnvelope<SilenceView>>()
            .ProducesErrors(WriteErrors);

        read.MapGet("/rules", RulesAsync)
            .WithSummary("The rules, and whether they are managed here or in a file (Alerts:RulesFile).")
            .Produces<ApiEnvelope<RulesView>>()
            .ProducesErrors(ReadErrors);
        read.MapGet("/rules/export", ExportAsync)
            .WithSummary("The rules as a YAML file (application/yaml) that import and Alerts:RulesFile read back.")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesErrors(ReadErrors);
        write.MapPut("/rules/{name}", PutRuleAsync)
            .WithSummary("Creates or replaces one rule (JSON or YAML, the rules file's field names). Refused with the field named if invalid.")
            .Accepts<AlertRule>("application/json", "application/yaml")
            .Produces<ApiEnvelope<AlertRule>>()
            .ProducesErrors(WriteErrors);
        write.MapDelete("/rules/{name}", DeleteRuleAsync)
            .WithSummary("Deletes one rule; its open alerts end without a notice.")
            .Produces<ApiEnvelope<string>>()
            .ProducesErrors(WriteErrors);
        write.MapPost("/rules/import", ImportAsync)
            .WithSummary("Imports a YAML rules file: adds and replaces its rules, or with replace=true makes it the whole set. All or nothing.")
            .Accepts<string>("application/yaml", "application/json")
            .WithQueryParameters(new QueryParameterDoc("replace", QueryParameterKind.Text, "true: rules not in the file are deleted."))
            .Produces<ApiEnvelope<ImportView>>()
            .ProducesErrors(WriteErrors);

        read.MapGet("/channels", ChannelsAsync)
            .WithSummary("Notification channels with their delivery state (pending notices, failed attempts, last error); secrets redacted.")
            .Produces<ApiEnvelope<IReadOnlyList<ChannelView>>>()
            .ProducesErrors(ReadErrors);
        write.MapPut("/channels/{name}", PutChannelAsync)
            .WithSummary("Creates or replaces a channel (webhook, slack, ntfy or email); channels from configuration are read-only.")
            .Accepts<ChannelSpec>("application/json", "application/yaml")
            .Produces<ApiEnvelope<ChannelView>>()
            .ProducesErrors(WriteErrors);
        write.MapDelete("/channels/{name}", DeleteChannelAsync)
            .WithSummary("Deletes a channel made through the API; its undelivered notices are dropped.")
            .Produces<ApiEnvelope<string>>()
            .ProducesErrors(WriteErrors);
        write.MapPost("/channels/{name}/test", TestChannelAsync)
            .WithSummary("Sends a test notice to the channel now and answers whether it was delivered, with the receiver's error if not.")
            .Produces<ApiEnvelope<ChannelTestView>>()
            .ProducesErrors(WriteErrors);

        read.MapGet("/silences", SilencesAsync)
            .WithSummary("Maintenance windows and acknowledgements that have not ended.")
            .Produces<ApiEnvelope<IReadOnlyList<SilenceView>>>()
            .ProducesErrors(ReadErrors);
        write.MapPost("/silences", AddSilenceAsync)
            .WithSummary("Adds a maintenance window: notices of matching targets (agents, containers, rules: patterns) stay quiet until it ends.")
            .Accepts<SilenceRequest>("application/json")
            .Produces<ApiEnvelope<SilenceView>>()
            .ProducesErrors(WriteErrors);
        write.MapDelete("/silences/{id:long}", DeleteSilenceAsync)
            .WithSummary("Ends a maintenance window or acknowledgement.")
            .Produces<ApiEnvelope<string>>()
            .ProducesErrors(WriteErrors);
        return app;
    }

    private static async ValueTask<object?> RequireCsrfForSessionsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // A bearer caller cannot be made to send a header by another site; a cookie session can, so it must prove the page.
        if (http.Request.Headers.Authorization.Count == 0 && http.User.Identity?.IsAuthenticated == true)
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                throw new ApiProblemException(StatusCodes.Status403Forbidden, ResultCodes.Forbidden,
                    $"missing or invalid CSRF token: send the token from GET /api/v1/auth/session as {AuthSchemes.CsrfHeader}");
            }
        }

        return await next(context).ConfigureAwait(false);
    }

    private static async Task IncidentsAsync(HttpContext context, SqlAlertStore store)
    {
        var (page, size, offset) = QueryParameters.Paging(context.Request);
        var state = QueryParameters.Optional(context.Request, "state", 16) ?? "all";
        bool? open = state switch
        {
            "firing" => true,
            "resolved" => false,
            "all" => null,
            _ => throw QueryParameters.Bad("state", "firing, resolved or all"),
        };
        var agent = QueryParameters.Optional(context.Request, "agent", AgentIds.MaxLength);
        var container = QueryParameters.Optional(context.Request, "container", ReportLimits.MaxNameLength);
        var incidents = await store.IncidentsAsync(open, agent, container, offset, size, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<IncidentView>>
        {
            Data = incidents.Items.Select(ToView).ToList(),
            PageInfo = QueryParameters.PageInfo(page, size, incidents.TotalCount),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, AlertsApiJsonContext.Default.ApiEnvelopeIReadOnlyListIncidentView).ConfigureAwait(false);
    }

    private static IncidentView ToView(IncidentRecord r) => new(r.Id, r.Rule, r.Target, r.AgentId, r.ContainerName, r.Severity, r.Summary,
        r.StartedAt, r.ResolvedAt, r.ResolvedAt is { } end ? (long)(end - r.StartedAt).TotalSeconds : null, r.Value, r.Peak, r.Backfilled, r.Flapping,
        r.AckedBy, r.AckedUntil);

    private static async Task AckAsync(HttpContext context, long id, SqlAlertStore store, TimeProvider clock)
    {
        var body = await ReadBodyAsync(context, json: true).ConfigureAwait(false);
        var request = body.Length == 0 ? new AckRequest(null, null) : Deserialize(body, AlertsApiJsonContext.Default.AckRequest);
        var minutes = request.Minutes ?? 60;
        if (minutes is < 1 or > MaxSilenceDays * 1440)
        {
            throw RuleProblem.At("minutes", $"must be 1-{MaxSilenceDays * 1440}");
        }

        var incident = (await store.IncidentByIdAsync(id, context.RequestAborted).ConfigureAwait(false))
            ?? throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.NotFound, $"id: no incident {id}");
        var now = clock.GetUtcNow().UtcDateTime;
        var by = context.User.Identity?.Name ?? "open-mode";
        var silence = new AlertSilence(0, Glob.Escape(incident.AgentId), incident.ContainerName is { } c ? Glob.Escape(c) : "*", Glob.Escape(incident.Rule), now,
            now.AddMinutes(minutes), Limit(request.Comment, $"acknowledged incident {id}"), by);
        await RequireRoomForSilenceAsync(store, now, context.RequestAborted).ConfigureAwait(false);
        var silenceId = await store.AddSilenceAsync(silence, id, context.RequestAborted).ConfigureAwait(false);
        await WriteSilenceAsync(context, silence with { Id = silenceId }).ConfigureAwait(false);
    }

    private static async Task RulesAsync(HttpContext context, RuleBook rules)
    {
        var list = await rules.RulesAsync(context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<RulesView>
        {
            Data = new RulesView(rules.FilePath is null ? "api" : "file", rules.FilePath, list),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, AlertsApiJsonContext.Default.ApiEnvelopeRulesView).ConfigureAwait(false);
    }

    private static async Task ExportAsync(HttpContext context, RuleBook rules)
    {
        var yaml = RuleParser.ToYaml(await rules.RulesAsync(context.RequestAborted).ConfigureAwait(false));
        context.Response.ContentType = "application/yaml; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"stackscope-rules.yaml\"";
        await context.Response.WriteAsync(yaml, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task PutRuleAsync(HttpContext context, string name, RuleBook rules, ChannelCatalog channels)
    {
        var rule = RuleParser.ParseOne(await ReadBodyAsync(context, json: false).ConfigureAwait(false));
        if (rule.Name != name)
        {
            throw RuleProblem.At("name", $"'{rule.Name}' differs from the name in the path '{YamlFields.Short(name)}'");
        }

        await RequireChannelsAsync([rule], channels, "", context.RequestAborted).ConfigureAwait(false);
        await rules.SaveAsync([rule], replaceAll: false, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<AlertRule> { Data = rule, ResultCode = ResultCodes.Ok, Success = true },
            AlertsApiJsonContext.Default.ApiEnvelopeAlertRule).ConfigureAwait(false);
    }

    private static async Task DeleteRuleAsync(HttpContext context, string name, RuleBook rules)
    {
        if (!await rules.DeleteAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.NotFound, $"name: no rule '{YamlFields.Short(name)}'");
        }

        await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
    }

    private static async Task ImportAsync(HttpContext context, RuleBook rules, ChannelCatalog channels)
    {
        var replace = QueryParameters.Optional(context.Request, "replace", 5) switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw QueryParameters.Bad("replace", "true or false"),
        };
        var imported = RuleParser.ParseMany(await ReadBodyAsync(context, json: false).ConfigureAwait(false), "body", documentRequired: replace);
        await RequireChannelsAsync(imported, channels, "rules", context.RequestAborted).ConfigureAwait(false);
        await rules.SaveAsync(imported, replace, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<ImportView> { Data = new ImportView(imported.Count, replace), ResultCode = ResultCodes.Ok, Success = true },
            AlertsApiJsonContext.Default.ApiEnvelopeImportView).ConfigureAwait(false);
    }

    private static async Task RequireChannelsAsync(IReadOnlyList<AlertRule> rules, ChannelCatalog channels, string path, CancellationToken ct)
    {
        var known = (await channels.AllAsync(ct).ConfigureAwait(false)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        for (var r = 0; r < rules.Count; r++)
        {
            for (var c = 0; c < rules[r].Channels.Count; c++)
            {
                if (!known.Contains(rules[r].Channels[c]))
                {
                    var field = path.Length == 0 ? $"channels[{c}]" : $"{path}[{r}].channels[{c}]";
                    throw RuleProblem.At(field, $"no channel '{rules[r].Channels[c]}'; known: {(known.Count == 0 ? "none" : string.Join(", ", known.Order()))}");
                }
            }
        }
    }

    private static async Task ChannelsAsync(HttpContext context, ChannelCatalog channels, SqlAlertStore store)
    {
        var status = (await store.ChannelStatusAsync(context.RequestAborted).ConfigureAwait(false)).ToDictionary(s => s.Channel);
        var views = (await channels.AllAsync(context.RequestAborted).ConfigureAwait(false)).Select(c => ToView(c, status.GetValueOrDefault(c.Name))).ToList();
        await Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<ChannelView>> { Data = views, ResultCode = ResultCodes.Ok, Success = true },
            AlertsApiJsonContext.Default.ApiEnvelopeIReadOnlyListChannelView).ConfigureAwait(false);
    }

    private static ChannelView ToView(ChannelSpec c, ChannelStatus? s) => new(c.Name, c.Type, c.Source,
        c.Type == ChannelTypes.Email ? $"smtp://{c.SmtpHost}:{c.SmtpPort} to {string.Join(", ", c.To)}" : NoticeSender.Redact(c.Url), c.Format,
        s?.Pending ?? 0, s?.FailedAttempts ?? 0, s?.LastError, s?.LastSentAt, s?.NextAttemptAt, s?.Parked ?? 0, s?.ParkedError);

    private static async Task PutChannelAsync(HttpContext context, string name, ChannelCatalog channels, SqlAlertStore store, TimeProvider clock)
    {
        RequireApiChannel(channels, name);
        var channel = ChannelParser.Parse(name, await ReadBodyAsync(context, json: false).ConfigureAwait(false));
        await store.SaveDefinitionsAsync(ChannelCatalog.Table, [(name, JsonSerializer.Serialize(channel, AlertsJsonContext.Default.ChannelSpec))],
            replaceAll: false, clock.GetUtcNow().UtcDateTime, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<ChannelView> { Data = ToView(channel, null), ResultCode = ResultCodes.Ok, Success = true },
            AlertsApiJsonContext.Default.ApiEnvelopeChannelView).ConfigureAwait(false);
    }

    private static async Task DeleteChannelAsync(HttpContext context, string name, ChannelCatalog channels, SqlAlertStore store)
    {
        RequireApiChannel(channels, name);
        if (!await store.DeleteDefinitionAsync(ChannelCatalog.Table, name, context.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.NotFound, $"name: no channel '{YamlFields.Short(name)}'");
        }

        await store.DropChannelNoticesAsync(name, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
    }

    private static void RequireApiChannel(ChannelCatalog channels, string name)
    {
        if (channels.Configured.Any(c => c.Name == name))
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, ResultCodes.Conflict,
                $"name: channel '{name}' comes from configuration (Alerts:Channels:{name}); change it there");
        }
    }

    private static async Task TestChannelAsync(HttpContext context, string name, ChannelCatalog channels, NoticeSender sender, TimeProvider clock)
    {
        var channel = (await channels.AllAsync(context.RequestAborted).ConfigureAwait(false)).FirstOrDefault(c => c.Name == name)
            ?? throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.NotFound, $"name: no channel '{YamlFields.Short(name)}'");
        string? error = null;
        try
        {
            await sender.SendAsync(channel, new Notice
            {
                Id = Guid.NewGuid().ToString("N"),
                Kind = NoticeKinds.Test,
                Summary = $"A test notice from StackScope, sent by {context.User.Identity?.Name ?? "an operator"} through channel '{name}'.",
                At = clock.GetUtcNow().UtcDateTime,
            }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ChannelFailedException ex)
        {
            error = ex.Message;
        }

        await Envelopes.WriteAsync(context, new ApiEnvelope<ChannelTestView>
        {
            Data = new ChannelTestView(name, error is null, error),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, AlertsApiJsonContext.Default.ApiEnvelopeChannelTestView).ConfigureAwait(false);
    }

    private static async Task SilencesAsync(HttpContext context, SqlAlertStore store, TimeProvider clock)
    {
        var silences = await store.SilencesAsync(clock.GetUtcNow().UtcDateTime, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<SilenceView>>
        {
            Data = silences.Select(ToView).ToList(),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, AlertsApiJsonContext.Default.ApiEnvelopeIReadOnlyListSilenceView).ConfigureAwait(false);
    }

    private static SilenceView ToView(AlertSilence s) => new(s.Id, s.AgentGlob, s.ContainerGlob, s.RuleGlob, s.StartsAt, s.EndsAt, s.Reason, s.CreatedBy);

    private static async Task AddSilenceAsync(HttpContext context, SqlAlertStore store, TimeProvider clock)
    {
        var request = Deserialize(await ReadBodyAsync(context, json: true).ConfigureAwait(false), AlertsApiJsonContext.Default.SilenceRequest);
        var now = clock.GetUtcNow().UtcDateTime;
        var starts = request.StartsAt ?? now;
        if (request.Minutes is < 1 or > MaxSilenceDays * 1440)
        {
            throw RuleProblem.At("minutes", $"must be 1-{MaxSilenceDays * 1440}");
        }

        // Checked before adding: startsAt near the end of the calendar plus minutes would be past DateTime's range.
        var ends = request.EndsAt ?? (request.Minutes is { } minutes
            ? (DateTime.MaxValue - starts).TotalMinutes > minutes ? starts.AddMinutes(minutes) : throw RuleProblem.At("minutes", "ends past the year 9999")
            : throw RuleProblem.At("endsAt", "required (or minutes)"));
        if (ends <= starts || ends - starts > TimeSpan.FromDays(MaxSilenceDays))
        {
            throw RuleProblem.At("endsAt", $"must be after startsAt and within {MaxSilenceDays} days of it");
        }

        var silence = new AlertSilence(0, Pattern("agents", request.Agents), Pattern("containers", request.Containers), Pattern("rules", request.Rules),
            starts, ends, Limit(request.Reason, "maintenance"), context.User.Identity?.Name ?? "open-mode");
        await RequireRoomForSilenceAsync(store, now, context.RequestAborted).ConfigureAwait(false);
        var id = await store.AddSilenceAsync(silence, null, context.RequestAborted).ConfigureAwait(false);
        await WriteSilenceAsync(context, silence with { Id = id }).ConfigureAwait(false);
    }

    private static Task WriteSilenceAsync(HttpContext context, AlertSilence silence) =>
        Envelopes.WriteAsync(context, new ApiEnvelope<SilenceView> { Data = ToView(silence), ResultCode = ResultCodes.Ok, Success = true },
            AlertsApiJsonContext.Default.ApiEnvelopeSilenceView);

    private static async Task DeleteSilenceAsync(HttpContext context, long id, SqlAlertStore store)
    {
        if (!await store.DeleteSilenceAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.NotFound, $"id: no silence {id}");
        }

        await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
    }

    private static async Task RequireRoomForSilenceAsync(SqlAlertStore store, DateTime now, CancellationToken ct)
    {
        if ((await store.SilencesAsync(now, ct).ConfigureAwait(false)).Count >= MaxSilences)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, ResultCodes.Conflict,
                $"silences: {MaxSilences} are in force already; end some (DELETE /api/v1/alerts/silences/{{id}}) first");
        }
    }

    private static string Pattern(string field, string? pattern)
    {
        pattern ??= "*";
        return Glob.TryParse(pattern, out var problem) is not null ? pattern : throw RuleProblem.At(field, problem!);
    }

    private static string Limit(string? text, string fallback) =>
        string.IsNullOrWhiteSpace(text) ? fallback : text.Length <= 500 && !text.Any(char.IsControl) ? text : throw RuleProblem.At("reason", "at most 500 characters without control characters");

    private static T Deserialize<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw ApiProblemException.BadRequest(ResultCodes.MissingField, "body: expected a JSON object");
        }
        catch (JsonException ex)
        {
            throw ApiProblemException.BadRequest(ResultCodes.MalformedJson, $"body: malformed JSON ({ex.Path ?? "$"}): {ex.Message.Split('.')[0]}");
        }
    }

    /// <summary>The body as text, at most <see cref="MaxBodyBytes"/>; JSON, or for rule and channel documents also YAML.</summary>
    private static async Task<string> ReadBodyAsync(HttpContext context, bool json)
    {
        var request = context.Request;
        if (request.ContentLength is > MaxBodyBytes)
        {
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, ResultCodes.PayloadTooLarge, $"body: larger than the limit of {MaxBodyBytes} bytes");
        }

        var type = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var media) ? media.MediaType.Value ?? "" : "";
        var hasBody = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;
        var accepted = json ? type is "application/json" : type is "application/json" or "application/yaml" or "application/x-yaml" or "text/yaml" or "text/plain";
        if (hasBody && !accepted)
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ResultCodes.UnsupportedMediaType,
                json ? "Content-Type: must be application/json" : "Content-Type: must be application/json or application/yaml");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, ResultCodes.PayloadTooLarge, $"body: larger than the limit of {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw ApiProblemException.BadRequest(ResultCodes.MalformedJson, "body: not valid UTF-8");
        }
    }
}
