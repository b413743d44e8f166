namespace StackScope.Server.Api;

/// <summary>
/// A client's mistake or a refusal the client can act on: answered with <see cref="StatusCode"/> and the
/// envelope (<c>success:false</c>, <see cref="ResultCode"/>, the message), nothing stored.
/// </summary>
internal sealed class ApiProblemException : Exception
{
    public ApiProblemException(int statusCode, string resultCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ResultCode = resultCode;
    }

    public ApiProblemException()
    {
    }

    public ApiProblemException(string message) : base(message)
    {
    }

    public ApiProblemException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public int StatusCode { get; } = StatusCodes.Status400BadRequest;

    public string ResultCode { get; } = Contracts.ResultCodes.InvalidValue;

    /// <summary>Seconds the client should wait before retrying (503 answers); null for none.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiProblemException BadRequest(string resultCode, string message) =>
        new(StatusCodes.Status400BadRequest, resultCode, message);

    /// <summary>503 for any request that needed the database while it is away: nothing was done, retry later.</summary>
    public static ApiProblemException StorageUnavailable(Exception cause) =>
        new(StatusCodes.Status503ServiceUnavailable, Contracts.ResultCodes.StorageUnavailable,
            "storage is unavailable; nothing was stored, retry later", cause)
        { RetryAfterSeconds = 5 };
}
