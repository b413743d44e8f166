using StackScope.Server.Alerts.Channels;

namespace StackScope.Server.Alerts;

internal static class AlertServiceCollectionExtensions
{
    public static IServiceCollection AddStackScopeAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName))
            .Validate(o => o.Problem() is null, "Alerts: an invalid setting (see AlertOptions.Problem)")
            .ValidateOnStart();
        services.AddSingleton<AlertSignal>();
        services.AddSingleton<RuleBook>();
        services.AddSingleton<ChannelCatalog>();
        services.AddSingleton<NoticeSender>();
        // Receivers are the operator's own; a redirect could send a notice (and its secrets) elsewhere.
        services.AddHttpClient(NoticeSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<AlertWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWorker>());
        return services;
    }
}
