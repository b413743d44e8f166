namespace StackScope.Agent;

/// <summary>
/// Writes a file so that after a crash it is either the old one or the new one whole: a temp file beside it, fsync,
/// then rename. A ".tmp" left behind was never acknowledged as written.
/// </summary>
internal static class DurableFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool replace)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, replace ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: replace);
    }
}
