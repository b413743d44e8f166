using StackScope.Server.Api;
using StackScope.Server.Storage;

namespace StackScope.Server.Health;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Liveness: the process answers. Never touches storage, so a database outage does not get it restarted.
        app.MapGet("/healthz", (HttpContext context) => Envelopes.WriteOkAsync(context));

        // Readiness: storage answers and its schema is in place. Storage away is the envelope middleware's 503.
        app.MapGet("/readyz", async (HttpContext context, SqlDatabase database, SchemaGate schema) =>
        {
            await schema.EnsureAsync(context.RequestAborted).ConfigureAwait(false);
            await database.PingAsync(context.RequestAborted).ConfigureAwait(false);
            await Envelopes.WriteOkAsync(context).ConfigureAwait(false);
        });
        return app;
    }
}
