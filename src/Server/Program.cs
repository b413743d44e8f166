using StackScope.Server;
using StackScope.Server.Admin;

if (AdminCli.Handles(args))
{
    return await AdminCli.RunAsync(args, Console.Out, Console.Error, Console.In).ConfigureAwait(false);
}

await ServerApp.Build(args).RunAsync().ConfigureAwait(false);
return 0;
