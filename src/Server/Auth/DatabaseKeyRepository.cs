using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

/// <summary>
/// Data Protection's key repository over <see cref="SharedKeys"/>. On the first read of a database that holds no key
/// yet, the keys of <c>Auth:KeysPath</c> (where earlier versions kept them) are copied in, so an upgrade keeps
/// everyone signed in.
/// </summary>
internal sealed partial class DatabaseKeyRepository(SharedKeys keys, SchemaGate schema, string legacyFolder, ILogger<DatabaseKeyRepository> logger)
    : IXmlRepository
{
    private int _imported;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        // A request can ask for the key ring before the start's migration has finished.
        schema.EnsureAsync(CancellationToken.None).GetAwaiter().GetResult();
        var stored = keys.All();
        if (stored.Count == 0 && Interlocked.Exchange(ref _imported, 1) == 0 && Directory.Exists(legacyFolder))
        {
            var files = Directory.GetFiles(legacyFolder, "key-*.xml");
            foreach (var file in files)
            {
                keys.Add(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
            }

            if (files.Length > 0)
            {
                LogImported(logger, files.Length, legacyFolder);
                stored = keys.All();
            }
        }

        return stored.Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        schema.EnsureAsync(CancellationToken.None).GetAwaiter().GetResult();
        keys.Add(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth: {Count} cookie protection keys copied from {Folder} into the database, shared by every server from now on")]
    private static partial void LogImported(ILogger logger, int count, string folder);
}
