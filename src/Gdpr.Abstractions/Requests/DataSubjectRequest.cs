using System.Text;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Requests;

/// <summary>
/// A data-subject request as the request store keeps it: intake facts, the legal clock, the status of each right and
/// every decision taken. It holds no personal data in plaintext: the requester's contact details and the subject id
/// are in <see cref="EncryptedRequester"/>, under a key of the request's own (see docs/requests.md).
/// </summary>
/// <param name="Id">The request's id (random, not personal data).</param>
/// <param name="ReceivedAt">The instant the request was received (GDPR Art. 12(3): the period runs from receipt).</param>
/// <param name="ReceivedOn">The date of receipt in the controller's time zone; not counted in the period.</param>
/// <param name="TimeZoneId">The controller's time zone the dates were counted in.</param>
/// <param name="Channel">How the request came in (Art. 12(2)).</param>
/// <param name="AgentId">Who took it in, or <see langword="null"/> for an unattended channel such as a web form.</param>
/// <param name="OnBehalfOfSubject">Whether someone made it on the subject's behalf.</param>
/// <param name="Subject">The pseudonym of the subject the request concerns.</param>
/// <param name="EncryptedRequester">The requester's contact details and the subject id, as one envelope.</param>
/// <param name="Rights">The rights asked for, each its own process.</param>
/// <param name="Status">Where the request is.</param>
/// <param name="OriginalDue">The last day of the first month, moved to a working day.</param>
/// <param name="Due">The last day now: <paramref name="OriginalDue"/>, or the extended one.</param>
/// <param name="InternalTarget">The controller's own earlier target date.</param>
/// <param name="Extension">The extension, if any (Art. 12(3)).</param>
/// <param name="Refusal">The refusal as a whole, if any (Art. 12(5)(b)).</param>
/// <param name="Fee">The fee, if any (Art. 12(5)(a), 15(3)).</param>
/// <param name="IdentityChallenge">The one-time code challenge, while one was sent.</param>
/// <param name="IdentityMethod">How the identity was verified (a verifier's method), once verified.</param>
/// <param name="VerifiedAt">When the identity was verified.</param>
/// <param name="ClosedAt">When the request was completed or refused.</param>
/// <param name="Version">Increases by one with every change; the store refuses an update made on an older version.</param>
public sealed record DataSubjectRequest(
    string Id,
    DateTimeOffset ReceivedAt,
    DateOnly ReceivedOn,
    string TimeZoneId,
    IntakeChannel Channel,
    string? AgentId,
    bool OnBehalfOfSubject,
    SubjectPseudonym Subject,
    ReadOnlyMemory<byte> EncryptedRequester,
    IReadOnlyList<RequestedRight> Rights,
    RequestStatus Status,
    DateOnly OriginalDue,
    DateOnly Due,
    DateOnly InternalTarget,
    RequestExtension? Extension = null,
    RequestRefusal? Refusal = null,
    RequestFee? Fee = null,
    IdentityChallenge? IdentityChallenge = null,
    string? IdentityMethod = null,
    DateTimeOffset? VerifiedAt = null,
    DateTimeOffset? ClosedAt = null,
    long Version = 1)
{
    /// <summary>Gets whether the request is still open (neither completed nor refused).</summary>
    public bool IsOpen => Status is not (RequestStatus.Completed or RequestStatus.Refused);

    /// <summary>Gets the request's outcome, which follows from its rights' outcomes.</summary>
    public RequestOutcome Outcome
    {
        get
        {
            if (IsOpen)
            {
                return RequestOutcome.Open;
            }

            if (Refusal is not null || Rights.All(r => r.Status == RightStatus.Refused))
            {
                return RequestOutcome.Refused;
            }

            return Rights.All(r => r.Status == RightStatus.Completed) ? RequestOutcome.Completed : RequestOutcome.PartlyCompleted;
        }
    }

    /// <summary>Compares every member by value: the envelope's bytes and the rights in order, so a store's copy equals what it was given.</summary>
    /// <param name="other">The other request.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(DataSubjectRequest? other)
        => other is not null
            && string.Equals(Id, other.Id, StringComparison.Ordinal)
            && ReceivedAt == other.ReceivedAt && ReceivedAt.Offset == other.ReceivedAt.Offset
            && ReceivedOn == other.ReceivedOn
            && string.Equals(TimeZoneId, other.TimeZoneId, StringComparison.Ordinal)
            && Channel == other.Channel
            && string.Equals(AgentId, other.AgentId, StringComparison.Ordinal)
            && OnBehalfOfSubject == other.OnBehalfOfSubject
            && Subject == other.Subject
            && EncryptedRequester.Span.SequenceEqual(other.EncryptedRequester.Span)
            && Rights.SequenceEqual(other.Rights)
            && Status == other.Status
            && OriginalDue == other.OriginalDue
            && Due == other.Due
            && InternalTarget == other.InternalTarget
            && Equals(Extension, other.Extension)
            && Equals(Refusal, other.Refusal)
            && Equals(Fee, other.Fee)
            && Equals(IdentityChallenge, other.IdentityChallenge)
            && string.Equals(IdentityMethod, other.IdentityMethod, StringComparison.Ordinal)
            && VerifiedAt == other.VerifiedAt
            && ClosedAt == other.ClosedAt
            && Version == other.Version;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Version, Status);

    /// <summary>Prints every member, the rights included (see <see cref="RecordText"/>); the requester is an envelope.</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}
