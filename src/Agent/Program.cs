using StackScope.Agent;
using StackScope.Contracts;

if (BuildInfo.Asked(args))
{
    Console.WriteLine(BuildInfo.Describe("ss-agent", typeof(AgentProgram).Assembly));
    return 0;
}

return await AgentProgram.RunAsync(args).ConfigureAwait(false);
