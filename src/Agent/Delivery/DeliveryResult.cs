namespace StackScope.Agent.Delivery;

internal enum DeliveryOutcome
{
    /// <summary>2xx: stored (or already stored) by the server.</summary>
    Delivered,

    /// <summary>4xx other than 401/403/408/429: the server will never accept this report; do not resend.</summary>
    Rejected,

    /// <summary>Connection failure, timeout, 5xx, 408, 429: try again later.</summary>
    Retry,

    /// <summary>
    /// 401/403: the server refused this agent's token, not the report. Retried like an outage (the reports stay
    /// spooled, oldest dropped past the bound) until the token is fixed; logged as an error.
    /// </summary>
    NotAuthorized,
}

/// <summary>What one POST achieved, with the server's status and body for the log and for --once.</summary>
internal sealed record DeliveryResult(DeliveryOutcome Outcome, int? StatusCode, string Body, TimeSpan? RetryAfter);
