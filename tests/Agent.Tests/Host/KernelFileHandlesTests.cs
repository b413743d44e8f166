using StackScope.Agent.Host;

namespace StackScope.Agent.Tests.Host;

public sealed class KernelFileHandlesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ss-handles-").FullName;

    [Fact]
    public void A_file_is_opened_once_and_read_afresh_from_its_start_each_time()
    {
        var path = Write("cpuacct.usage", "100\n");
        using var files = new KernelFileHandles(budget: 10);

        Assert.Equal("100\n", files.Read("c1", path).ToString());
        File.WriteAllText(path, "2500\n"); // the same file, rewritten in place like a kernel counter
        Assert.Equal("2500\n", files.Read("c1", path).ToString());
        Assert.Equal(1, files.OpenCount);
    }

    [Fact]
    public void A_missing_file_reads_as_null_and_is_not_looked_for_again_while_its_owner_lasts()
    {
        var path = Path.Combine(_dir, "pids.current");
        using var files = new KernelFileHandles(budget: 10);

        Assert.False(files.TryRead("c1", path, out _));
        Write("pids.current", "3\n");
        Assert.False(files.TryRead("c1", path, out _));
        Assert.Throws<FileNotFoundException>(() => _ = files.Read("c1", path).Length);

        files.Close("c1"); // a new owner's life (a new container) looks again
        Assert.True(files.TryRead("c1", path, out var text));
        Assert.Equal("3\n", text.ToString());
        Assert.Equal(1, files.OpenCount);
    }

    [Fact]
    public void Past_the_budget_files_are_read_but_not_kept_open()
    {
        var first = Write("a", "1");
        var second = Write("b", "2");
        using var files = new KernelFileHandles(budget: 1);

        Assert.Equal("1", files.Read("c1", first).ToString());
        Assert.Equal("2", files.Read("c1", second).ToString());
        File.WriteAllText(second, "22");
        Assert.Equal("22", files.Read("c1", second).ToString());
        Assert.Equal(1, files.OpenCount);
    }

    [Fact]
    public void Closing_an_owner_or_retaining_others_closes_its_files_and_keeps_the_rest()
    {
        var path = Write("memory.stat", "cache 0\n");
        using var files = new KernelFileHandles(budget: 10);
        _ = files.Read("host", path).Length;
        _ = files.Read("c1", path).Length;
        _ = files.Read("c2", path).Length;
        Assert.Equal(3, files.OpenCount);

        files.Close("c1");
        Assert.Equal(2, files.OpenCount);
        files.Retain(new HashSet<string>(), keep: "host");
        Assert.Equal(1, files.OpenCount);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
