using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StackScope.Server.Alerts;
using StackScope.Server.Api;
using StackScope.Server.Auth;
using StackScope.Server.Dashboard;
using StackScope.Server.Health;
using StackScope.Server.Ingest;
using StackScope.Server.Logging;
using StackScope.Server.Metrics;
using StackScope.Server.Query;
using StackScope.Server.Retention;
using StackScope.Server.Storage;

namespace StackScope.Server;

/// <summary>Builds ss-server; tests call it with their own settings and run it on a loopback port.</summary>
internal static class ServerApp
{
    public const string EnvironmentPrefix = "SS_";

    // replaceServices: tests only, to swap a registered service (e.g. a fake TimeProvider).
    public static WebApplication Build(string[] args, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? replaceServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json ships beside the binary; the SQLite data folder is under the working directory.
            ContentRootPath = AppContext.BaseDirectory,
        });

        // SS_Storage__Provider and friends; the command line is added again so it still wins.
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            ConnectionLimits.Apply(kestrel.Limits, context.Configuration);
        });
        // Same options as the simple formatter (Logging:Console:FormatterOptions), control characters escaped.
        builder.Logging.AddConsoleFormatter<EscapingConsoleFormatter, SimpleConsoleFormatterOptions>();

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        services.AddOptions<IngestOptions>().Bind(builder.Configuration.GetSection(IngestOptions.SectionName))
            .Validate(o => o.MaxBodyBytes > 0 && o.MaxContainers > 0 && o.QueueCapacity > 0 && o.MaxBatchReports > 0 && o.MaxBatchRows > 0 && o.WriterCount >= 0,
                "Ingest: MaxBodyBytes, MaxContainers, QueueCapacity, MaxBatchReports and MaxBatchRows must be positive, WriterCount not negative")
            .ValidateOnStart();
        services.AddStackScopeStorage();
        services.AddStackScopeOpenApi();
        services.AddSingleton<ReportValidator>();
        services.AddSingleton<QueryConcurrencyLimiter>();
        services.AddStackScopeAuth(builder.Configuration);
        services.AddStackScopeAlerts(builder.Configuration);
        services.AddStackScopeRetention(builder.Configuration);
        services.AddSingleton<Metrics.ServerMetrics>();
        services.AddSingleton<Metrics.SelfMetricsRegistry>();
        services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.SectionName))
            .Validate(o => o.MaxContainersPerAgent > 0, "Metrics:MaxContainersPerAgent must be positive").ValidateOnStart();
        services.AddSingleton<FleetScrape>();
        services.AddSingleton<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestWriter>());

        // Kestrel's socket transport behind the connection bound (see BoundedListenerFactory).
        services.AddSingleton<IConnectionListenerFactory>(sp =>
        {
            var limit = sp.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections;
            var sockets = new SocketTransportFactory(sp.GetRequiredService<IOptions<SocketTransportOptions>>(), sp.GetRequiredService<ILoggerFactory>());
            return limit is { } max ? new BoundedListenerFactory(sockets, max) : sockets;
        });
        replaceServices?.Invoke(services);
        var app = builder.Build();
        // Resolve now so a bad Storage:Provider stops the start with the key named, not the first request.
        app.Services.GetRequiredService<StorageSet>();
        // Likewise a broken channel in configuration or rules file: named at start, not at the first alert.
        app.Services.GetRequiredService<Alerts.Channels.ChannelCatalog>();
        app.Services.GetRequiredService<RuleBook>().CheckFileAtStart();
        // The exporter listens from the start: a measurement made before it listens is not counted.
        app.Services.GetRequiredService<SelfMetricsRegistry>();
        ConnectionLimits.LogEffective(app.Services);

        app.UseTrustedProxies();
        app.UseMiddleware<EnvelopeMiddleware>();
        app.UseSecurityHeaders();
        app.UseStatusCodeEnvelopes();
        app.UseHsts();
        app.UseStackScopeAuth();
        app.MapHealthEndpoints();
        app.MapAuthEndpoints();
        app.MapIngestEndpoints();
        app.MapQueryEndpoints();
        app.MapAlertEndpoints();
        app.MapStorageEndpoints();
        app.MapMetricsEndpoints();
        // The document says what this server answers now (its version's endpoints): no cache may keep it across an upgrade.
        app.MapOpenApi("/openapi/v1.json").AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });
        app.MapDashboard();
        return app;
    }
}
