// Placeholder until the agent issue lands: the agent is built on the shared contract only.
Console.Error.WriteLine("ss-agent: not implemented yet");
return 2;
