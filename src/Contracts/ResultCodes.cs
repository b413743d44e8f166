namespace StackScope.Contracts;

/// <summary>
/// The <c>resultCode</c> values ss-server answers with. "0" is the original's success code; the others are
/// documented in the README and never change meaning once released.
/// </summary>
public static class ResultCodes
{
    public const string Ok = "0";

    /// <summary>400: the body is not well-formed JSON (or not UTF-8, or nested too deep).</summary>
    public const string MalformedJson = "1001";

    /// <summary>415: Content-Type is not application/json.</summary>
    public const string UnsupportedMediaType = "1002";

    /// <summary>413: the body is larger than the configured limit.</summary>
    public const string PayloadTooLarge = "1003";

    /// <summary>400: a required field is absent or null.</summary>
    public const string MissingField = "1004";

    /// <summary>400: a field has the wrong JSON type.</summary>
    public const string WrongType = "1005";

    /// <summary>400: a field has a value outside what it may hold.</summary>
    public const string InvalidValue = "1006";

    /// <summary>400: a timestamp is not YYYY-MM-DD HH:MM:SS, or lies too far in the future.</summary>
    public const string InvalidTimestamp = "1007";

    /// <summary>400: more containers than one report may carry.</summary>
    public const string TooManyContainers = "1008";

    /// <summary>400: a container's agent_id or engine_type differs from its report's.</summary>
    public const string InconsistentContainer = "1009";

    /// <summary>400: a query parameter is malformed or out of range (page, size, from, to, step, name, status).</summary>
    public const string InvalidParameter = "1010";

    /// <summary>404: no report was ever stored for that agent (or that container of it).</summary>
    public const string UnknownAgent = "1011";

    /// <summary>400: an alert rule, channel or silence that is not valid; the message names the field.</summary>
    public const string InvalidRule = "1012";

    /// <summary>409: the change conflicts with how the server is configured (e.g. rules kept in a file).</summary>
    public const string Conflict = "1409";

    /// <summary>404: no such endpoint or resource.</summary>
    public const string NotFound = "1404";

    /// <summary>405: the endpoint exists but not for this method.</summary>
    public const string MethodNotAllowed = "1405";

    /// <summary>401: no credentials, or credentials that are not valid (never says which part was wrong).</summary>
    public const string Unauthenticated = "1401";

    /// <summary>403: valid credentials that may not do this (a token for another agent_id, a missing CSRF token).</summary>
    public const string Forbidden = "1403";

    /// <summary>429: too many failed sign-ins or bad tokens from this address; retry after Retry-After.</summary>
    public const string TooManyFailures = "1429";

    /// <summary>429: this user or token already has as many expensive queries running as it may; retry after Retry-After.</summary>
    public const string TooManyQueries = "1430";

    /// <summary>400: the HTTP request itself is malformed (framing, headers).</summary>
    public const string BadRequest = "1400";

    /// <summary>503: storage cannot be reached; nothing was stored, retry later.</summary>
    public const string StorageUnavailable = "2001";

    /// <summary>503: the write queue is full; nothing was stored, retry after Retry-After.</summary>
    public const string ServerBusy = "2002";

    /// <summary>500: a defect in the server. Never the answer to a client's mistake.</summary>
    public const string InternalError = "9999";
}
