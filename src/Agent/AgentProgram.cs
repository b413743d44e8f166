using StackScope.Agent.Delivery;
using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Cri;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Host;
using StackScope.Agent.Lifecycle;
using StackScope.Agent.Sampling;

namespace StackScope.Agent;

/// <summary>ss-agent: runs until stopped, or with --once samples, prints, posts once and exits.</summary>
internal static class AgentProgram
{
    public const string EnvironmentPrefix = "SS_";

    public static async Task<int> RunAsync(string[] args)
    {
        var once = args.Contains("--once");
        // The empty builder and only what the agent uses: the default one also brings a watcher on appsettings.json (an
        // inotify thread), the Debug and EventSource loggers and user secrets, all trimmed away now (measured: a smaller
        // binary, and its code is most of the agent's resident memory).
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settingsFile = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (File.Exists(settingsFile))
        {
            using var settings = File.OpenRead(settingsFile);
            builder.Configuration.AddJsonStream(settings);
        }
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args.Where(a => a != "--once").ToArray());
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // --once: stdout carries only the records, the document and the answer, so scripts can parse it; logs go to stderr.
        builder.Logging.AddProvider(new Logging.LineLoggerProvider(once ? Console.Error : Console.Out, TimeProvider.System));

        var options = new AgentOptions();
        builder.Configuration.GetSection(AgentOptions.SectionName).Bind(options);
        options.ApplyDefaults(Environment.MachineName, Environment.GetEnvironmentVariable("DOCKER_HOST"));
        var errors = AgentOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync("ss-agent: invalid configuration: " + error).ConfigureAwait(false);
            }

            return 2;
        }

        if (ServerConnection.ReadToken(options).Length == 0)
        {
            await Console.Error.WriteLineAsync(
                "ss-agent: warning: no Agent:Token or Agent:TokenFile; a server in its default mode answers 401 and reports wait in the spool").ConfigureAwait(false);
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new HostCollector(options.ProcRoot));
        services.AddSingleton(_ => new FileSystemCollector(options.ProcRoot));
        var engineList = options.ResolveEngines(File.Exists);
        services.AddSingleton<IReadOnlyList<IContainerEngine>>(sp => Engines(engineList, options, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ContainerFigures>();
        services.AddSingleton<CollectorGuard>();
        services.AddSingleton<ReportSampler>();
        services.AddSingleton(_ => ServerConnection.Create(options));
        services.AddSingleton(sp => new ReportSender(sp.GetRequiredService<HttpClient>(),
            new Uri(new Uri(options.ServerUrl.TrimEnd('/') + "/"), ReportSender.MonitorInfoPath), sp.GetRequiredService<TimeProvider>()));

        if (once)
        {
            using var host = builder.Build();
            try
            {
                return await OnceCommand.RunAsync(host.Services, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await Console.Error.WriteLineAsync("ss-agent: failed unexpectedly: " + ex).ConfigureAwait(false);
                return AgentExit.FatalError;
            }
        }

        services.AddSingleton(sp => new ReportSpool(options.SpoolPath, options.SpoolMaxBytes, TimeSpan.FromHours(options.SpoolMaxAgeHours),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReportSpool>>()));
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton(new Backoff(Random.Shared));
        services.AddSingleton<AgentExit>();
        // Beside the spool, not in it: the spool takes every *.json in its folder for a report.
        services.AddSingleton(sp => new LifecycleTracker(options.NodeName, new LifecycleStore(Path.Combine(options.SpoolPath, "lifecycle.state")),
            EngineTime.ToUnixNanos(sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        for (var i = 0; i < engineList.Count; i++)
        {
            var index = i;
            services.AddSingleton<IHostedService>(sp => new EventWatcher(sp.GetRequiredService<IReadOnlyList<IContainerEngine>>()[index],
                sp.GetRequiredService<LifecycleTracker>(), sp.GetRequiredService<AgentExit>(), sp.GetRequiredService<ILogger<EventWatcher>>()));
        }

        services.AddSingleton<Telemetry.AgentMetrics>();
        services.AddHostedService<Telemetry.MetricsListener>();
        services.AddHostedService<SamplingWorker>();
        services.AddHostedService<DeliveryWorker>();
        using var app = builder.Build();
        var exit = app.Services.GetRequiredService<AgentExit>(); // RunAsync disposes the services when it returns
        await app.RunAsync().ConfigureAwait(false);
        return exit.Code;
    }

    /// <summary>One client and engine per configured engine; a second engine of one type is keyed "docker#2".</summary>
    private static List<IContainerEngine> Engines(IReadOnlyList<EngineOptions> engines, AgentOptions options, ILoggerFactory loggers)
    {
        var cgroups = options.CgroupRoot.Length > 0 && Directory.Exists(options.CgroupRoot);
        // Each engine's reader keeps and closes its own containers' files (engines are sampled side by side), out of one
        // budget of open files shared between them.
        var budget = KernelFileHandles.DefaultBudget() / Math.Max(1, engines.Count);
        return engines.Select((e, i) =>
        {
            var sameType = engines.Take(i).Count(o => o.Type == e.Type);
            var key = sameType == 0 ? e.Type : $"{e.Type}#{sameType + 1}";
            if (CriDialect.For(e.Type) is { } cri)
            {
                // A pod container's cgroup is found through the runtime (its spec, or the process's /proc entry), not by pattern.
                return (IContainerEngine)new CriEngine(new CriClient(e.Host, TimeSpan.FromSeconds(options.CollectorTimeoutSeconds)),
                    cgroups ? new CgroupStatsReader(options.CgroupRoot, options.ProcRoot, [], new KernelFileHandles(budget)) : null,
                    options.ProcRoot, cri, loggers.CreateLogger<CriEngine>())
                {
                    Key = key,
                    PollInterval = TimeSpan.FromSeconds(options.IntervalSeconds),
                };
            }

            var dialect = EngineDialect.For(e.Type);
            return new DockerEngine(new DockerEngineClient(e.Host),
                cgroups ? new CgroupStatsReader(options.CgroupRoot, options.ProcRoot, dialect.PatternsFor(e.Host), new KernelFileHandles(budget)) : null,
                TimeSpan.FromSeconds(options.CollectorTimeoutSeconds), loggers.CreateLogger<DockerEngine>(), dialect: dialect)
            {
                Key = key,
            };
        }).ToList();
    }
}
