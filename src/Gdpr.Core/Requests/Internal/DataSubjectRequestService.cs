using System.Globalization;
using System.Security.Cryptography;
using Gdpr.Audit;
using Gdpr.Diagnostics;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Requests;

/// <inheritdoc cref="IDataSubjectRequestService"/>
internal sealed class DataSubjectRequestService : IDataSubjectRequestService
{
    // A transition that lost a race with another writer is applied again to the fresh state this often.
    private const int MaxUpdateAttempts = 5;

    private readonly IDataSubjectRequestStore _store;
    private readonly RequestClock _clock;
    private readonly RequesterEnvelope _requester;
    private readonly OneTimeCodeVerifier _codes;
    private readonly IReadOnlyList<IIdentityVerifier> _verifiers;
    private readonly IOneTimeCodeSender? _sender;
    private readonly ISubjectKeyManager _keys;
    private readonly IRetentionScheduler _retention;
    private readonly IAuditTrail _audit;
    private readonly GdprMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DataSubjectRequestService(
        IDataSubjectRequestStore store,
        RequestClock clock,
        RequesterEnvelope requester,
        OneTimeCodeVerifier codes,
        IEnumerable<IIdentityVerifier> verifiers,
        ISubjectKeyManager keys,
        IRetentionScheduler retention,
        IAuditTrail audit,
        GdprMetrics metrics,
        TimeProvider time,
        IOneTimeCodeSender? sender = null,
        ILogger<DataSubjectRequestService>? logger = null)
    {
        _store = store;
        _clock = clock;
        _requester = requester;
        _codes = codes;
        _verifiers = [.. verifiers];
        _keys = keys;
        _retention = retention;
        _audit = audit;
        _metrics = metrics;
        _time = time;
        _sender = sender;
        _logger = logger ?? NullLogger<DataSubjectRequestService>.Instance;
    }

    public async ValueTask<DataSubjectRequest> SubmitAsync(DataSubjectRequestIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        ArgumentException.ThrowIfNullOrWhiteSpace(intake.SubjectId, nameof(intake));
        ArgumentNullException.ThrowIfNull(intake.Requester, nameof(intake));
        ArgumentNullException.ThrowIfNull(intake.Rights, nameof(intake));
        if (intake.Rights.Count == 0)
        {
            throw new ArgumentException("A request asks for at least one right.", nameof(intake));
        }

        if (intake.Rights.Any(r => r is null || !Enum.IsDefined(r.Right))
            || intake.Rights.DistinctBy(r => (r.Right, r.Purpose)).Count() != intake.Rights.Count)
        {
            throw new ArgumentException("Each right of a request is a defined right, asked for once per purpose.", nameof(intake));
        }

        if (!Enum.IsDefined(intake.Channel))
        {
            throw new ArgumentException("The intake channel is not defined.", nameof(intake));
        }

        var subject = _keys.GetPseudonym(intake.SubjectId);
        var receivedAt = (intake.ReceivedAt ?? _time.GetUtcNow()).ToUniversalTime();
        var deadline = _clock.GetDeadline(receivedAt);
        var id = NewId();
        var envelope = await _requester.SealAsync(id, intake.SubjectId, intake.Requester, cancellationToken).ConfigureAwait(false);
        var request = new DataSubjectRequest(
            id,
            receivedAt,
            deadline.ReceivedOn,
            _clock.TimeZone.Id,
            intake.Channel,
            intake.AgentId,
            intake.OnBehalfOfSubject,
            subject,
            envelope,
            [.. intake.Rights.Select(r => new RequestedRight(r.Right, r.Purpose))],
            RequestStatus.Received,
            deadline.Due,
            deadline.Due,
            deadline.InternalTarget);
        await _store.AddAsync(request, cancellationToken).ConfigureAwait(false);
        await AppendAsync(AuditKinds.RequestReceived, request, new()
        {
            ["channel"] = request.Channel.ToString(),
            ["rights"] = string.Join(",", request.Rights.Select(r => r.Purpose is null ? r.Right.ToString() : $"{r.Right}:{r.Purpose}")),
            ["receivedOn"] = Iso(request.ReceivedOn),
            ["due"] = Iso(request.Due),
            ["onBehalf"] = request.OnBehalfOfSubject ? "true" : "false",
        }, cancellationToken).ConfigureAwait(false);
        _metrics.RequestsReceived.Add(1, new KeyValuePair<string, object?>("channel", request.Channel.ToString()));
        RequestsLog.Received(_logger, request.Id, request.Channel, request.Due);
        await RefreshMetricsAsync(cancellationToken).ConfigureAwait(false);
        return request;
    }

    public async ValueTask<DataSubjectRequest> GetAsync(string requestId, CancellationToken cancellationToken = default)
        => await LoadAsync(requestId, "read", cancellationToken).ConfigureAwait(false);

    public async ValueTask<RequesterContact?> GetRequesterAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var request = await LoadAsync(requestId, "read-requester", cancellationToken).ConfigureAwait(false);
        return (await _requester.OpenAsync(request, cancellationToken).ConfigureAwait(false))?.Contact;
    }

    public async ValueTask<DataSubjectRequest> SendIdentityCodeAsync(string requestId, OneTimeCodeDestination destination, CancellationToken cancellationToken = default)
    {
        var sender = _sender ?? throw new InvalidOperationException("No IOneTimeCodeSender is registered: register one to send identity codes (GDPR Art. 12(6)).");
        string? code = null;
        string? address = null;
        var updated = await TransitionAsync(requestId, RequestStateMachine.IssueCode, async (request, _) =>
        {
            RequestStateMachine.EnsureCanIssueCode(request);
            var opened = await _requester.OpenAsync(request, cancellationToken).ConfigureAwait(false);
            address = destination switch
            {
                OneTimeCodeDestination.Email => opened?.Contact.Email,
                OneTimeCodeDestination.Phone => opened?.Contact.Phone,
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(address))
            {
                throw RequestStateMachine.Refused(request, RequestStateMachine.IssueCode, RequestRules.NoContactForDestination);
            }

            var (drawn, challenge) = await _codes.IssueAsync(request, cancellationToken).ConfigureAwait(false);
            code = drawn;
            return RequestStateMachine.WithChallenge(request, challenge);
        }, r => new() { ["destination"] = destination.ToString(), ["expiresAt"] = r.IdentityChallenge!.ExpiresAt.ToString("O", CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);

        // Stored first, so the time and attempt limits hold even when the send is retried or fails.
        await sender.SendAsync(new OneTimeCodeMessage(updated.Id, destination, address!, code!, updated.IdentityChallenge!.ExpiresAt), cancellationToken).ConfigureAwait(false);
        return updated;
    }

    public async ValueTask<DataSubjectRequest> VerifyIdentityAsync(string requestId, IdentityEvidence evidence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        for (var attempt = 1; ; attempt++)
        {
            var request = await LoadAsync(requestId, RequestStateMachine.Verify, cancellationToken).ConfigureAwait(false);
            try
            {
                RequestStateMachine.EnsureCanVerify(request);
            }
            catch (RequestTransitionRefusedException refused)
            {
                await RecordRefusedAsync(request, refused, cancellationToken).ConfigureAwait(false);
                throw;
            }

            var verifier = _verifiers.FirstOrDefault(v => v.CanVerify(evidence));
            var check = verifier is null
                ? new IdentityCheck("none", IdentityFailure.NotApplicable)
                : await verifier.VerifyAsync(request, evidence, cancellationToken).ConfigureAwait(false);
            var next = check.IsVerified
                ? RequestStateMachine.Verified(request, check.Method, _time.GetUtcNow())
                : check.Challenge is { } counted ? request with { IdentityChallenge = counted } : null;
            if (next is not null)
            {
                next = next with { Version = request.Version + 1 };
                if (!await _store.TryUpdateAsync(next, request.Version, cancellationToken).ConfigureAwait(false))
                {
                    // Another writer changed the request (perhaps another attempt): judge again on its state.
                    ThrowIfRaceLost(request, RequestStateMachine.Verify, attempt);
                    continue;
                }
            }

            if (check.Failure is { } failure)
            {
                await AppendAsync(AuditKinds.RequestIdentityFailed, request, new()
                {
                    ["method"] = check.Method,
                    ["failure"] = failure.ToString(),
                    ["failedAttempts"] = (next?.IdentityChallenge?.FailedAttempts ?? request.IdentityChallenge?.FailedAttempts ?? 0).ToString(CultureInfo.InvariantCulture),
                }, cancellationToken).ConfigureAwait(false);
                RequestsLog.IdentityFailed(_logger, request.Id, failure);
                throw new IdentityVerificationFailedException(request.Id, failure);
            }

            await AppendTransitionAsync(next!, RequestStateMachine.Verify, new() { ["method"] = check.Method }, cancellationToken).ConfigureAwait(false);
            return next!;
        }
    }

    public ValueTask<DataSubjectRequest> StartAsync(string requestId, CancellationToken cancellationToken = default)
        => TransitionAsync(requestId, RequestStateMachine.Start, (r, _) => ValueTask.FromResult(RequestStateMachine.Started(r)), _ => [], cancellationToken);

    public ValueTask<DataSubjectRequest> CompleteRightAsync(string requestId, DataSubjectRight right, string? purpose = null, string? reference = null, CancellationToken cancellationToken = default)
        => TransitionAsync(
            requestId,
            RequestStateMachine.CompleteRight,
            (r, now) => ValueTask.FromResult(RequestStateMachine.RightClosed(r, right, purpose, completed: true, reference, now)),
            _ => RightDetails(right, purpose),
            cancellationToken);

    public ValueTask<DataSubjectRequest> RefuseRightAsync(string requestId, DataSubjectRight right, string? purpose, string reason, CancellationToken cancellationToken = default)
        => TransitionAsync(
            requestId,
            RequestStateMachine.RefuseRight,
            (r, now) => ValueTask.FromResult(RequestStateMachine.RightClosed(r, right, purpose, completed: false, reason, now)),
            _ => new(RightDetails(right, purpose)) { ["reason"] = reason },
            cancellationToken);

    public ValueTask<DataSubjectRequest> ExtendAsync(string requestId, string reasons, CancellationToken cancellationToken = default)
        => TransitionAsync(
            requestId,
            RequestStateMachine.Extend,
            (r, now) => ValueTask.FromResult(RequestStateMachine.Extended(r, reasons, now, _clock.LocalDate(now), _clock.GetDeadline(r.ReceivedAt).ExtendedDue)),
            r => new() { ["reasons"] = reasons, ["due"] = Iso(r.Due) },
            cancellationToken);

    public ValueTask<DataSubjectRequest> RefuseAsync(string requestId, RefusalGround ground, string reason, bool subjectToldOfComplaintAndRemedy, CancellationToken cancellationToken = default)
        => TransitionAsync(
            requestId,
            RequestStateMachine.Refuse,
            (r, now) => ValueTask.FromResult(RequestStateMachine.RefusedAsWhole(r, ground, reason, subjectToldOfComplaintAndRemedy, now, _clock.LocalDate(now))),
            _ => new() { ["ground"] = ground.ToString(), ["reason"] = reason },
            cancellationToken);

    public ValueTask<DataSubjectRequest> RecordFeeAsync(string requestId, decimal amount, string currency, FeeGround ground, CancellationToken cancellationToken = default)
        => TransitionAsync(
            requestId,
            RequestStateMachine.RecordFee,
            (r, now) => ValueTask.FromResult(RequestStateMachine.FeeRecorded(r, amount, currency, ground, now)),
            _ => new() { ["amount"] = amount.ToString(CultureInfo.InvariantCulture), ["currency"] = currency, ["ground"] = ground.ToString() },
            cancellationToken);

    public ValueTask<IReadOnlyList<DataSubjectRequest>> ListOpenAsync(CancellationToken cancellationToken = default)
        => _store.QueryAsync(new DataSubjectRequestQuery(OpenOnly: true, Limit: int.MaxValue), cancellationToken);

    public ValueTask<IReadOnlyList<DataSubjectRequest>> ListDueWithinAsync(int days, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        return _store.QueryAsync(new DataSubjectRequestQuery(OpenOnly: true, DueOnOrBefore: Today().AddDays(days), Limit: int.MaxValue), cancellationToken);
    }

    public ValueTask<IReadOnlyList<DataSubjectRequest>> ListOverdueAsync(CancellationToken cancellationToken = default)
        => _store.QueryAsync(new DataSubjectRequestQuery(OpenOnly: true, DueOnOrBefore: Today().AddDays(-1), Limit: int.MaxValue), cancellationToken);

    public ValueTask<IReadOnlyList<DataSubjectRequest>> QueryAsync(DataSubjectRequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _store.QueryAsync(query, cancellationToken);
    }

    public async ValueTask RefreshMetricsAsync(CancellationToken cancellationToken = default)
    {
        var open = await ListOpenAsync(cancellationToken).ConfigureAwait(false);
        var today = Today();
        _metrics.SetRequestCounts(open.Count, open.Count(r => r.Due < today));
    }

    private async ValueTask<DataSubjectRequest> TransitionAsync(
        string requestId,
        string transition,
        Func<DataSubjectRequest, DateTimeOffset, ValueTask<DataSubjectRequest>> apply,
        Func<DataSubjectRequest, Dictionary<string, string>> details,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var request = await LoadAsync(requestId, transition, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            DataSubjectRequest next;
            try
            {
                next = await apply(request, now).ConfigureAwait(false);
            }
            catch (RequestTransitionRefusedException refused)
            {
                await RecordRefusedAsync(request, refused, cancellationToken).ConfigureAwait(false);
                throw;
            }

            next = next with { Version = request.Version + 1 };
            if (!await _store.TryUpdateAsync(next, request.Version, cancellationToken).ConfigureAwait(false))
            {
                ThrowIfRaceLost(request, transition, attempt);
                continue;
            }

            await AppendTransitionAsync(next, transition, details(next), cancellationToken).ConfigureAwait(false);
            if (request.IsOpen && !next.IsOpen)
            {
                await OnClosedAsync(next, cancellationToken).ConfigureAwait(false);
            }

            return next;
        }
    }

    private async ValueTask OnClosedAsync(DataSubjectRequest request, CancellationToken cancellationToken)
    {
        var closedOn = _clock.LocalDate(request.ClosedAt!.Value);
        var withinDeadline = closedOn <= request.Due;
        _metrics.RequestsClosed.Add(
            1,
            new KeyValuePair<string, object?>("outcome", request.Outcome.ToString()),
            new KeyValuePair<string, object?>("within_deadline", withinDeadline));

        // The requester's details are kept for accountability from the closing on, then destroyed by the sweeper.
        await _retention.RecordRelationshipEndedAsync(RequestKeys.KeySubject(request.Id), request.ClosedAt.Value, cancellationToken).ConfigureAwait(false);
        await RefreshMetricsAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask<DataSubjectRequest> LoadAsync(string requestId, string transition, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        var request = await _store.GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (request is not null)
        {
            return request;
        }

        RequestsLog.Unknown(_logger, requestId);
        await _audit.AppendAsync(
            [new AuditEvent(AuditKinds.RequestTransitionRefused, Subject: null, new Dictionary<string, string>
            {
                ["requestId"] = requestId,
                ["transition"] = transition,
                ["rule"] = RequestRules.UnknownRequest,
            })],
            cancellationToken).ConfigureAwait(false);
        throw new DataSubjectRequestNotFoundException(requestId);
    }

    internal async ValueTask RecordRefusedAsync(DataSubjectRequest request, RequestTransitionRefusedException refused, CancellationToken cancellationToken)
    {
        RequestsLog.TransitionRefused(_logger, request.Id, refused.Transition, refused.Status, refused.Rule);
        await AppendAsync(AuditKinds.RequestTransitionRefused, request, new()
        {
            ["transition"] = refused.Transition,
            ["status"] = refused.Status.ToString(),
            ["rule"] = refused.Rule,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AppendTransitionAsync(DataSubjectRequest request, string transition, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        details["transition"] = transition;
        details["status"] = request.Status.ToString();
        if (!request.IsOpen)
        {
            details["outcome"] = request.Outcome.ToString();
        }

        await AppendAsync(AuditKinds.RequestTransition, request, details, cancellationToken).ConfigureAwait(false);
        RequestsLog.Transition(_logger, request.Id, transition, request.Status);
    }

    private async ValueTask AppendAsync(string kind, DataSubjectRequest request, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        details["requestId"] = request.Id;
        await _audit.AppendAsync([new AuditEvent(kind, request.Subject, details)], cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowIfRaceLost(DataSubjectRequest request, string transition, int attempt)
    {
        if (attempt >= MaxUpdateAttempts)
        {
            throw new InvalidOperationException($"Request {request.Id}: '{transition}' lost {MaxUpdateAttempts} races with other writers; nothing was changed. Try again.");
        }
    }

    private DateOnly Today() => _clock.LocalDate(_time.GetUtcNow());

    private static Dictionary<string, string> RightDetails(DataSubjectRight right, string? purpose)
    {
        var details = new Dictionary<string, string> { ["right"] = right.ToString() };
        if (purpose is not null)
        {
            details["purpose"] = purpose;
        }

        return details;
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string NewId() => "dsr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
