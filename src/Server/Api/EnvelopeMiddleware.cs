using Microsoft.AspNetCore.Http.Features;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Server.Api;

/// <summary>
/// Turns every failure into the envelope: a client's mistake into its 4xx, an unreachable database into
/// 503 with Retry-After, and only a real defect into 500 (logged with its stack).
/// </summary>
internal sealed partial class EnvelopeMiddleware(RequestDelegate next, ILogger<EnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (ApiProblemException ex) when (!context.Response.HasStarted)
        {
            await AnswerProblemAsync(context, ex).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own framing checks: oversized body, bad chunking, unexpected end of body.
            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ResultCodes.PayloadTooLarge : ResultCodes.BadRequest;
            LogRejected(logger, context.Request.Path, ex.StatusCode, code, ex.Message);
            await Envelopes.WriteErrorAsync(context, ex.StatusCode, code, ex.Message).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex) when (!context.Response.HasStarted)
        {
            // Any path that reads storage (a token or user lookup, a query) while the database is away: the
            // client's request was fine, so 503 and retry, never the 500 of a defect.
            await AnswerProblemAsync(context, ApiProblemException.StorageUnavailable(ex)).ConfigureAwait(false);
        }
        catch (IOException ex) when (!context.Response.HasStarted)
        {
            // Only storage could raise an IOException of its own, and it translates its failures above: this one is
            // the request body's framing (e.g. a chunk size that overflows), which Kestrel raises as a plain IOException.
            LogRejected(logger, context.Request.Path, StatusCodes.Status400BadRequest, ResultCodes.BadRequest, ex.Message);
            await Envelopes.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ResultCodes.BadRequest,
                "the request body could not be read: " + ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogDefect(logger, ex, context.Request.Path);
            context.Features.Get<IHttpResponseFeature>()?.Headers.Clear();
            await Envelopes.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, ResultCodes.InternalError,
                "internal server error; the request was not stored").ConfigureAwait(false);
        }
    }

    private Task AnswerProblemAsync(HttpContext context, ApiProblemException ex)
    {
        if (ex.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (ex.StatusCode >= 500)
        {
            LogUnavailable(logger, ex.ResultCode, ex.Message);
        }
        else
        {
            LogRejected(logger, context.Request.Path, ex.StatusCode, ex.ResultCode, ex.Message);
        }

        return Envelopes.WriteErrorAsync(context, ex.StatusCode, ex.ResultCode, ex.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Path}: {Status} {ResultCode} {Reason}")]
    private static partial void LogRejected(ILogger logger, PathString path, int status, string resultCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered 503 {ResultCode}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string resultCode, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Path}")]
    private static partial void LogDefect(ILogger logger, Exception exception, PathString path);
}
