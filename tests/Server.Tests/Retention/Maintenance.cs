using Microsoft.Extensions.DependencyInjection;
using StackScope.Server.Coordination;
using StackScope.Server.Retention;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>One maintenance run in a test's server, by the path <c>ss-server maintenance run</c> takes (the lease included).</summary>
internal static class Maintenance
{
    public static async Task<MaintenanceResult> RunAsync(RunningServer server) =>
        await MaintenanceWorker.RunIfLeaderAsync(server.Services.GetRequiredService<MaintenanceJob>(),
            new Lease(server.Services.GetRequiredService<SqlLeaseStore>(), MaintenanceWorker.LeaseName, TimeSpan.FromMinutes(2), TimeProvider.System),
            CancellationToken.None) ?? throw new InvalidOperationException("maintenance lease held elsewhere");
}
