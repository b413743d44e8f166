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
        RequireSchema();
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
        RequireSchema();
        keys.Add(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }

    // Never waits for the migration: Data Protection loads its key ring while the host starts (a failure there is
    // logged and tried again at the first request that needs it), and the migration may wait for another server's
    // schema lock. Until this process has migrated, a request that needs the keys is answered 503, as /readyz is.
    private void RequireSchema()
    {
        if (!schema.IsMigrated)
        {
            throw new StorageUnavailableException("the database schema is not ready yet");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth: {Count} cookie protection keys copied from {Folder} into the database, shared by every server from now on")]
    private static partial void LogImported(ILogger logger, int count, string folder);
}
