using Microsoft.Extensions.FileProviders;

namespace StackScope.Server.Dashboard;

internal static class DashboardEndpoints
{
    /// <summary>
    /// Serves the dashboard (Dashboard/wwwroot, embedded in the server assembly) at "/". Embedded so the
    /// page is wherever the server is — `dotnet run`, a build output or a publish — with no asset folder
    /// to lose, and nothing fetched from the internet at run time.
    /// </summary>
    public static IApplicationBuilder MapDashboard(this IApplicationBuilder app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, "StackScope.Server.Dashboard.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
