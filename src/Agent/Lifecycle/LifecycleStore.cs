using System.Text.Json;

namespace StackScope.Agent.Lifecycle;

/// <summary>The tracker's state file beside the spool, written as the spool writes reports: temp file, fsync, rename.</summary>
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
        var temp = path + ".new";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, state, LifecycleJsonContext.Default.LifecycleState);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
