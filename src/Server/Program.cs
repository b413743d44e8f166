using StackScope.Server;

await ServerApp.Build(args).RunAsync().ConfigureAwait(false);
