namespace StackScope.Agent.Engines;

/// <summary>
/// Where an engine reads its containers' counters (the cgroup files, or the engine's own stats where those are not
/// visible), said in the log once each time it changes rather than every sample.
/// </summary>
internal sealed partial class CounterSource(ILogger logger, string engine, string fallback)
{
    private int _source; // 0 unknown, 1 cgroup files, 2 the fallback

    public void Files() => Note(1, "the containers' cgroup files");

    public void Fallback() => Note(2, fallback);

    private void Note(int source, string text)
    {
        if (Interlocked.Exchange(ref _source, source) != source)
        {
            LogSource(logger, engine, text);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Engine}: reading container CPU and memory from {Source}")]
    private static partial void LogSource(ILogger logger, string engine, string source);
}
