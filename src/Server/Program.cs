using StackScope.Contracts;
using StackScope.Server;
using StackScope.Server.Admin;

if (BuildInfo.Asked(args))
{
    Console.WriteLine(BuildInfo.Describe("ss-server", typeof(ServerApp).Assembly));
    return 0;
}

if (AdminCli.Handles(args))
{
    return await AdminCli.RunAsync(args, Console.Out, Console.Error, Console.In).ConfigureAwait(false);
}

return await StackScope.Server.Hosting.ServerExit.RunAsync(ServerApp.Build(args)).ConfigureAwait(false);
