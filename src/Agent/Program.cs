using StackScope.Agent;

return await AgentProgram.RunAsync(args).ConfigureAwait(false);
