using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Auth;

namespace StackScope.Server.Ingest;

internal static class IngestEndpoints
{
    public const string MonitorInfoPath = "/api/v1/monitor-info";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 16,
        // Two values for one field: which one did the agent mean? Refuse rather than guess.
        AllowDuplicateProperties = false,
    };

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(MonitorInfoPath, PostMonitorInfoAsync)
            .WithName("PostMonitorInfo")
            .WithTags("Ingest")
            .RequireAuthorization(AuthSchemes.AgentPolicy)
            .Accepts<MonitorReport>("application/json")
            .Produces<ApiEnvelope<string>>()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Store one agent report (the original wire format); answered once committed.");
        return app;
    }

    private static async Task PostMonitorInfoAsync(
        HttpContext context, ReportValidator validator, IngestWriter writer, IOptions<IngestOptions> options, IOptions<AuthOptions> auth,
        Metrics.ServerMetrics metrics)
    {
        try
        {
            var report = await ReadReportAsync(context.Request, options.Value.MaxBodyBytes).ConfigureAwait(false);
            validator.Validate(report);
            AuthSetup.RequireOwnAgent(context, report.AgentId, auth.Value);
            await writer.StoreAsync(report).ConfigureAwait(false);
        }
        catch (ApiProblemException ex)
        {
            metrics.Rejected(ex.ResultCode);
            throw;
        }

        await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
    }

    private static async Task<MonitorReport> ReadReportAsync(HttpRequest request, int maxBodyBytes)
    {
        if (!IsJson(request.ContentType))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ResultCodes.UnsupportedMediaType,
                $"Content-Type: expected application/json, got '{ReportReader.Truncate(request.ContentType)}'");
        }

        if (request.ContentLength > maxBodyBytes)
        {
            throw TooLarge(maxBodyBytes);
        }

        // Our own limit applies, checked after every read below, so the answer is the envelope's 413
        // rather than Kestrel's bare one; Kestrel's own limit would fire first on a chunked body.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var body = request.BodyReader;
        while (true)
        {
            var read = await body.ReadAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > maxBodyBytes)
            {
                body.AdvanceTo(read.Buffer.End);
                throw TooLarge(maxBodyBytes);
            }

            if (read.IsCompleted)
            {
                try
                {
                    return Parse(read.Buffer);
                }
                finally
                {
                    body.AdvanceTo(read.Buffer.End);
                }
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    internal static MonitorReport Parse(ReadOnlySequence<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The reader's message names the line and byte; it never echoes the body back.
            throw ApiProblemException.BadRequest(ResultCodes.MalformedJson, $"body: malformed JSON ({ex.Message})");
        }

        using (document)
        {
            return ReportReader.Read(document.RootElement);
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) &&
        parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) &&
        (parsed.Charset.Length == 0 || parsed.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static ApiProblemException TooLarge(int maxBodyBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ResultCodes.PayloadTooLarge, $"body: larger than the limit of {maxBodyBytes} bytes");
}
