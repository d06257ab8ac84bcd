namespace Gdpr.Requests;

/// <summary>
/// The request's state machine as pure functions: each takes the stored request and returns its next state, or throws
/// <see cref="RequestTransitionRefusedException"/> naming the rule. Nothing here stores or audits; the service does,
/// so a transition retried after a concurrent change is simply applied again to the fresh state.
/// </summary>
internal static class RequestStateMachine
{
    public const string IssueCode = "send-identity-code";
    public const string Verify = "verify-identity";
    public const string Start = "start";
    public const string CompleteRight = "complete-right";
    public const string RefuseRight = "refuse-right";
    public const string Extend = "extend";
    public const string Refuse = "refuse";
    public const string RecordFee = "record-fee";

    public static void EnsureCanIssueCode(DataSubjectRequest request)
        => RequireStatus(request, IssueCode, RequestRules.TransitionNotAllowed, RequestStatus.Received, RequestStatus.IdentityPending);

    public static DataSubjectRequest WithChallenge(DataSubjectRequest request, IdentityChallenge challenge)
    {
        EnsureCanIssueCode(request);
        return request with { Status = RequestStatus.IdentityPending, IdentityChallenge = challenge };
    }

    public static void EnsureCanVerify(DataSubjectRequest request)
        => RequireStatus(request, Verify, RequestRules.TransitionNotAllowed, RequestStatus.Received, RequestStatus.IdentityPending);

    public static DataSubjectRequest Verified(DataSubjectRequest request, string method, DateTimeOffset now)
    {
        EnsureCanVerify(request);
        return request with { Status = RequestStatus.Verified, IdentityMethod = method, VerifiedAt = now, IdentityChallenge = null };
    }

    public static DataSubjectRequest Started(DataSubjectRequest request)
    {
        RequireOpen(request, Start);
        if (request.Status is RequestStatus.Received or RequestStatus.IdentityPending)
        {
            throw Refused(request, Start, RequestRules.IdentityNotVerified);
        }

        RequireStatus(request, Start, RequestRules.TransitionNotAllowed, RequestStatus.Verified);
        return request with { Status = RequestStatus.InProgress };
    }

    public static DataSubjectRequest RightClosed(
        DataSubjectRequest request, DataSubjectRight right, string? purpose, bool completed, string? reasonOrReference, DateTimeOffset now)
    {
        var transition = completed ? CompleteRight : RefuseRight;
        RequireOpen(request, transition);
        if (request.Status is RequestStatus.Received or RequestStatus.IdentityPending)
        {
            throw Refused(request, transition, RequestRules.IdentityNotVerified);
        }

        RequireStatus(request, transition, RequestRules.TransitionNotAllowed, RequestStatus.InProgress);
        var index = -1;
        for (var i = 0; i < request.Rights.Count; i++)
        {
            var r = request.Rights[i];
            if (r.Right == right && string.Equals(r.Purpose, purpose, StringComparison.Ordinal) && r.Status == RightStatus.Open)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw Refused(request, transition, RequestRules.RightNotOpen);
        }

        var target = request.Rights[index];
        if (!completed)
        {
            if (target.IsObjectionToDirectMarketing)
            {
                throw Refused(request, transition, RequestRules.DirectMarketingObjectionAbsolute);
            }

            if (string.IsNullOrWhiteSpace(reasonOrReference))
            {
                throw Refused(request, transition, RequestRules.RefusalNeedsReason);
            }
        }

        var closed = completed
            ? target with { Status = RightStatus.Completed, Reference = reasonOrReference, ClosedAt = now }
            : target with { Status = RightStatus.Refused, Reason = reasonOrReference, ClosedAt = now };
        var rights = request.Rights.ToArray();
        rights[index] = closed;
        var next = request with { Rights = rights };
        if (rights.Any(r => r.Status == RightStatus.Open))
        {
            return next;
        }

        // The request's outcome follows from its rights: closed when the last one is.
        var status = rights.Any(r => r.Status == RightStatus.Completed) ? RequestStatus.Completed : RequestStatus.Refused;
        return next with { Status = status, ClosedAt = now };
    }

    public static DataSubjectRequest Extended(DataSubjectRequest request, string reasons, DateTimeOffset now, DateOnly today, DateOnly extendedDue)
    {
        RequireOpen(request, Extend);
        if (request.Extension is not null)
        {
            throw Refused(request, Extend, RequestRules.ExtensionOnce);
        }

        if (string.IsNullOrWhiteSpace(reasons))
        {
            throw Refused(request, Extend, RequestRules.ExtensionNeedsReasons);
        }

        if (today > request.OriginalDue)
        {
            throw Refused(request, Extend, RequestRules.ExtensionWithinFirstMonth);
        }

        return request with { Extension = new RequestExtension(reasons, now, extendedDue), Due = extendedDue };
    }

    public static DataSubjectRequest RefusedAsWhole(
        DataSubjectRequest request, RefusalGround ground, string reason, bool subjectToldOfComplaintAndRemedy, DateTimeOffset now, DateOnly today)
    {
        RequireOpen(request, Refuse);
        if (!Enum.IsDefined(ground) || string.IsNullOrWhiteSpace(reason))
        {
            throw Refused(request, Refuse, RequestRules.RefusalNeedsReason);
        }

        if (!subjectToldOfComplaintAndRemedy)
        {
            throw Refused(request, Refuse, RequestRules.RefusalNeedsComplaintNotice);
        }

        if (today > request.OriginalDue)
        {
            throw Refused(request, Refuse, RequestRules.RefusalWithinFirstMonth);
        }

        var rights = request.Rights
            .Select(r => r.Status == RightStatus.Open ? r with { Status = RightStatus.Refused, Reason = $"request refused as {ground} (Art. 12(5)(b))", ClosedAt = now } : r)
            .ToArray();
        return request with { Status = RequestStatus.Refused, Rights = rights, Refusal = new RequestRefusal(ground, reason, now), ClosedAt = now };
    }

    public static DataSubjectRequest FeeRecorded(DataSubjectRequest request, decimal amount, string currency, FeeGround ground, DateTimeOffset now)
    {
        RequireOpen(request, RecordFee);
        var allowed = request.Fee is null
            && amount > 0
            && !string.IsNullOrWhiteSpace(currency)
            && ground switch
            {
                FeeGround.ManifestlyUnfoundedOrExcessive => true,
                FeeGround.FurtherCopies => request.Rights.Any(r => r.Right == DataSubjectRight.Access),
                _ => false,
            };
        if (!allowed)
        {
            throw Refused(request, RecordFee, RequestRules.FeeNotAllowed);
        }

        return request with { Fee = new RequestFee(amount, currency, ground, now) };
    }

    public static RequestTransitionRefusedException Refused(DataSubjectRequest request, string transition, string rule)
        => new(request.Id, transition, request.Status, rule);

    private static void RequireOpen(DataSubjectRequest request, string transition)
    {
        if (!request.IsOpen)
        {
            throw Refused(request, transition, RequestRules.RequestClosed);
        }
    }

    private static void RequireStatus(DataSubjectRequest request, string transition, string rule, params RequestStatus[] allowed)
    {
        RequireOpen(request, transition);
        if (!allowed.Contains(request.Status))
        {
            throw Refused(request, transition, rule);
        }
    }
}
