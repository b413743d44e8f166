using System.Text.Json;

namespace StackScope.Agent.Lifecycle;

/// <summary>The tracker's state file beside the spool, written as the spool writes reports (<see cref="DurableFile"/>).</summary>
internal sealed class LifecycleStore(string path)
{
    public LifecycleState? Load()
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, LifecycleJsonContext.Default.LifecycleState);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null; // first start, or a damaged file: the stream's live events and reconciliation start afresh
        }
    }

    public void Save(LifecycleState state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DurableFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(state, LifecycleJsonContext.Default.LifecycleState), replace: true);
    }
}
