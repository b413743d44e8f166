using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace StackScope.Tests.Common.Cri;

/// <summary>
/// The test images of the CRI tests, made without a registry: a busybox root filesystem (Debian's busybox-static and
/// its applet links) as one uncompressed layer of an OCI image archive, imported into containerd's <c>k8s.io</c>
/// namespace with <c>ctr images import</c>. The pause image (the pods' sandbox, named in scripts/cri.sh's config) is
/// the same layer sleeping.
/// </summary>
public static class OciImages
{
    public const string Busybox = "docker.io/library/ss-busybox:test";
    public const string Pause = "docker.io/library/ss-pause:test";

    private static readonly SemaphoreSlim Once = new(1, 1);

    /// <summary>Imports both images into the runtime at <paramref name="address"/> unless it has them already.</summary>
    public static async Task EnsureAsync(string address)
    {
        await Once.WaitAsync();
        try
        {
            var socket = address["unix://".Length..];
            var listed = await CtrAsync(socket, "images", "ls", "-q");
            var layer = BusyboxLayer();
            foreach (var (name, command) in new[] { (Busybox, new[] { "/bin/sh" }), (Pause, ["/bin/sleep", "2147483647"]) })
            {
                if (listed.Split('\n').Contains(name))
                {
                    continue;
                }

                var archive = Path.Combine(Path.GetTempPath(), $"ss-oci-{Guid.NewGuid():N}.tar");
                try
                {
                    await File.WriteAllBytesAsync(archive, Archive(layer, name, command));
                    await CtrAsync(socket, "images", "import", "--snapshotter", "overlayfs", archive);
                }
                finally
                {
                    File.Delete(archive);
                }
            }
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>An OCI image layout archive (oci-layout, index.json naming the image, the blobs by SHA-256) of one layer.</summary>
    public static byte[] Archive(byte[] layer, string name, string[] command)
    {
        var blobs = new Dictionary<string, byte[]>();
        string Add(byte[] data)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
            blobs[digest] = data;
            return digest;
        }

        var architecture = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
        var layerDigest = Add(layer);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/bin"), ["Cmd"] = new JsonArray([.. command.Select(c => (JsonNode?)c)]), ["WorkingDir"] = "/" },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layerDigest) },
        }.ToJsonString());
        var configDigest = Add(config);
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = layerDigest, ["size"] = layer.Length }),
        }.ToJsonString());
        var manifestDigest = Add(manifest);
        var index = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = manifestDigest,
                ["size"] = manifest.Length,
                ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" },
                ["annotations"] = new JsonObject { ["io.containerd.image.name"] = name, ["org.opencontainers.image.ref.name"] = name[(name.LastIndexOf(':') + 1)..] },
            }),
        }.ToJsonString());

        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            Put(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            Put(tar, "index.json", index);
            foreach (var (digest, data) in blobs)
            {
                Put(tar, "blobs/sha256/" + digest["sha256:".Length..], data);
            }
        }

        return output.ToArray();
    }

    private static byte[] BusyboxLayer()
    {
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("busybox not found: apt-get install busybox-static (scripts/install-deps.sh does)");
        var applets = Run(busybox, "--list").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "dev", "etc", "proc", "sys", "tmp" })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = DateTimeOffset.UnixEpoch });
            }

            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox")
            {
                Mode = (UnixFileMode)0b111_101_101,
                ModificationTime = DateTimeOffset.UnixEpoch,
                DataStream = new MemoryStream(File.ReadAllBytes(busybox)),
            });
            foreach (var applet in applets.Where(a => a != "busybox"))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", ModificationTime = DateTimeOffset.UnixEpoch });
            }

            Put(tar, "etc/passwd", "root:x:0:0:root:/:/bin/sh\n"u8.ToArray());
        }

        return output.ToArray();
    }

    private static void Put(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, ModificationTime = DateTimeOffset.UnixEpoch, DataStream = new MemoryStream(data) });

    private static Task<string> CtrAsync(string socket, params string[] args) =>
        Task.Run(() => Run("ctr", ["--address", socket, "-n", "k8s.io", .. args]));

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr}");
    }
}
