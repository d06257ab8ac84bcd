using Microsoft.Extensions.Logging;

namespace Gdpr.Requests;

/// <summary>Log lines of the request workflow: request ids, statuses, rules and counts only — never contact details, subject ids or codes.</summary>
internal static partial class RequestsLog
{
    [LoggerMessage(5001, LogLevel.Information, "Data-subject request {RequestId} received by {Channel}; due {Due}.")]
    public static partial void Received(ILogger logger, string requestId, IntakeChannel channel, DateOnly due);

    [LoggerMessage(5002, LogLevel.Information, "Data-subject request {RequestId}: {Transition}, now {Status}.")]
    public static partial void Transition(ILogger logger, string requestId, string transition, RequestStatus status);

    [LoggerMessage(5003, LogLevel.Warning, "Data-subject request {RequestId}: {Transition} refused in status {Status} by rule {Rule}.")]
    public static partial void TransitionRefused(ILogger logger, string requestId, string transition, RequestStatus status, string rule);

    [LoggerMessage(5004, LogLevel.Warning, "Data-subject request {RequestId}: identity not verified ({Failure}).")]
    public static partial void IdentityFailed(ILogger logger, string requestId, IdentityFailure failure);

    [LoggerMessage(5005, LogLevel.Warning, "No data-subject request {RequestId}.")]
    public static partial void Unknown(ILogger logger, string requestId);

    [LoggerMessage(5006, LogLevel.Error, "Recounting the data-subject request gauges failed ({ExceptionType}); the next count is tried at the next interval.")]
    public static partial void MetricsRefreshFailed(ILogger logger, string exceptionType);
}
