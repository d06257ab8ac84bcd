namespace Gdpr.Requests;

/// <summary>
/// A request transition that the rules do not allow: nothing was changed, and the attempt is in the audit trail.
/// The message names the request id, the transition and the rule, never personal data.
/// </summary>
public sealed class RequestTransitionRefusedException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="RequestTransitionRefusedException"/> class.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="transition">What was attempted, for example <c>extend</c>.</param>
    /// <param name="status">The request's status at the time.</param>
    /// <param name="rule">The rule it breaks (one of <see cref="RequestRules"/>).</param>
    public RequestTransitionRefusedException(string requestId, string transition, RequestStatus status, string rule)
        : base($"Request {requestId}: '{transition}' is not allowed in status {status}: {rule}. Nothing was changed.")
    {
        RequestId = requestId;
        Transition = transition;
        Status = status;
        Rule = rule;
    }

    /// <summary>Gets the request's id.</summary>
    public string RequestId { get; }

    /// <summary>Gets what was attempted.</summary>
    public string Transition { get; }

    /// <summary>Gets the request's status when it was attempted.</summary>
    public RequestStatus Status { get; }

    /// <summary>Gets the rule it breaks.</summary>
    public string Rule { get; }
}
