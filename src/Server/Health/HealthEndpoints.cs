using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Storage;

namespace StackScope.Server.Health;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Liveness: the process answers. Never touches storage, so a database outage does not get it restarted.
        // As a Delegate, not a RequestDelegate, so that it is described in the OpenAPI document too.
        app.MapGet("/healthz", (Delegate)((HttpContext context) => Envelopes.WriteOkAsync(context)))
            .WithTags("Health").WithSummary("Liveness: 200 while the process runs; no credentials.")
            .Produces<ApiEnvelope<string>>();

        // Readiness: storage answers and its schema is in place. Storage away is the envelope middleware's 503.
        app.MapGet("/readyz", async (HttpContext context, SqlDatabase database, SchemaGate schema) =>
        {
            await schema.EnsureAsync(context.RequestAborted).ConfigureAwait(false);
            await database.PingAsync(context.RequestAborted).ConfigureAwait(false);
            await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
        })
            .WithTags("Health").WithSummary("Readiness: 200 when storage answers and its schema is in place, else 503; no credentials.")
            .Produces<ApiEnvelope<string>>()
            .ProducesErrors(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
