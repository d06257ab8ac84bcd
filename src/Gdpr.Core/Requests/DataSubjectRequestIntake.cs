namespace Gdpr.Requests;

/// <summary>
/// A request as an intake page, an e-mail handler or an agent submits it (GDPR Art. 12(2): requests may be made
/// digitally).
/// </summary>
/// <param name="SubjectId">The subject the request concerns, as the intake resolved it (for example a customer number); identity is verified afterwards.</param>
/// <param name="Rights">The rights asked for; at least one, each at most once per purpose.</param>
/// <param name="Channel">How it came in.</param>
/// <param name="Requester">How to reach the requester.</param>
/// <param name="ReceivedAt">When it was received (an e-mail's arrival, a form's submission); the current time when <see langword="null"/>.</param>
/// <param name="AgentId">Who took it in, if anyone.</param>
/// <param name="OnBehalfOfSubject">Whether the requester acts on the subject's behalf.</param>
public sealed record DataSubjectRequestIntake(
    string SubjectId,
    IReadOnlyList<RequestedRight> Rights,
    IntakeChannel Channel,
    RequesterContact Requester,
    DateTimeOffset? ReceivedAt = null,
    string? AgentId = null,
    bool OnBehalfOfSubject = false)
{
    /// <summary>Never prints the subject id or the contact details.</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString()
        => $"DataSubjectRequestIntake {{ Rights = [{string.Join(", ", Rights?.Select(r => r.Right) ?? [])}], Channel = {Channel}, ReceivedAt = {ReceivedAt:O}, OnBehalfOfSubject = {OnBehalfOfSubject} }}";
}
