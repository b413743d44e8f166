using Microsoft.Extensions.Options;

namespace StackScope.Server.Retention;

internal static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddStackScopeRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<MaintenanceJob>();
        services.AddSingleton<HistoryPlanner>();
        services.AddHostedService<MaintenanceWorker>();
        return services;
    }

    /// <summary>Stops the start with the first bad key named (options validation's message reaches the log and the exit).</summary>
    private sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
    {
        public ValidateOptionsResult Validate(string? name, RetentionOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
