namespace StackScope.Server.Storage;

/// <summary>
/// The database could not be reached or did not answer: nothing was stored, and the same request may succeed
/// later. The only failure type that leaves Storage/ for "database away"; provider exceptions are translated
/// into it by <see cref="SqlDatabase"/>, so nothing outside Storage/ needs to know a provider's errors.
/// </summary>
internal sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
