namespace Gdpr.Requests;

/// <summary>
/// Receives data-subject requests, verifies who is asking, counts the legal period and moves each request and each
/// right through its states (GDPR Art. 12, 15-21, 7(3)). Every transition, and every refused attempt, is appended
/// to the audit trail. A refused transition throws <see cref="RequestTransitionRefusedException"/> and changes nothing;
/// an unknown id throws <see cref="DataSubjectRequestNotFoundException"/>.
/// </summary>
public interface IDataSubjectRequestService
{
    /// <summary>Records a new request; its period starts with the day after receipt (Art. 12(3)).</summary>
    /// <param name="intake">What the intake received.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request as stored.</returns>
    ValueTask<DataSubjectRequest> SubmitAsync(DataSubjectRequestIntake intake, CancellationToken cancellationToken = default);

    /// <summary>Reads a request.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    ValueTask<DataSubjectRequest> GetAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Decrypts the requester's contact details, to send them the answer or a notice.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details, or <see langword="null"/> once the accountability period has ended and their key was destroyed.</returns>
    ValueTask<RequesterContact?> GetRequesterAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Sends the requester a one-time code through the registered <see cref="IOneTimeCodeSender"/> (Art. 12(6)).</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="destination">The requester's e-mail address or phone number, as given at intake.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request, now waiting for the code.</returns>
    ValueTask<DataSubjectRequest> SendIdentityCodeAsync(string requestId, OneTimeCodeDestination destination, CancellationToken cancellationToken = default);

    /// <summary>Verifies the requester's identity with the first verifier that judges the evidence (Art. 12(6)).</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="evidence">A code, an agent's attestation, or evidence of a verifier of your own.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verified request.</returns>
    /// <exception cref="IdentityVerificationFailedException">The evidence did not verify the identity.</exception>
    ValueTask<DataSubjectRequest> VerifyIdentityAsync(string requestId, IdentityEvidence evidence, CancellationToken cancellationToken = default);

    /// <summary>Starts handling a verified request's rights.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request, in progress.</returns>
    ValueTask<DataSubjectRequest> StartAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Records that one right was carried out; the request completes with its last right.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="right">The right.</param>
    /// <param name="purpose">The purpose the right names (objection, restriction), or <see langword="null"/>.</param>
    /// <param name="reference">What proves it (an export package or certificate id), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    ValueTask<DataSubjectRequest> CompleteRightAsync(string requestId, DataSubjectRight right, string? purpose = null, string? reference = null, CancellationToken cancellationToken = default);

    /// <summary>Records that one right is refused, with its legal ground; an objection to direct marketing cannot be (Art. 21(3)).</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="right">The right.</param>
    /// <param name="purpose">The purpose the right names, or <see langword="null"/>.</param>
    /// <param name="reason">The legal ground, free of personal data, for example <c>Art. 17(3)(b): fiscal retention</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    ValueTask<DataSubjectRequest> RefuseRightAsync(string requestId, DataSubjectRight right, string? purpose, string reason, CancellationToken cancellationToken = default);

    /// <summary>Extends the period by two further months and records now as the time the subject was told (Art. 12(3)).</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="reasons">The reasons for the delay, as told to the subject.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request with its new last day.</returns>
    ValueTask<DataSubjectRequest> ExtendAsync(string requestId, string reasons, CancellationToken cancellationToken = default);

    /// <summary>Refuses the request as manifestly unfounded or excessive (Art. 12(5)(b)), told as Art. 12(4) requires, now.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="ground">The ground.</param>
    /// <param name="reason">The reason the controller can show.</param>
    /// <param name="subjectToldOfComplaintAndRemedy">Whether the notice told the subject of the right to complain to a supervisory authority and to a judicial remedy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The refused request.</returns>
    ValueTask<DataSubjectRequest> RefuseAsync(string requestId, RefusalGround ground, string reason, bool subjectToldOfComplaintAndRemedy, CancellationToken cancellationToken = default);

    /// <summary>Records a fee, only on a ground the regulation allows (Art. 12(5)(a), 15(3)).</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="amount">The amount.</param>
    /// <param name="currency">The ISO 4217 currency code.</param>
    /// <param name="ground">The ground.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    ValueTask<DataSubjectRequest> RecordFeeAsync(string requestId, decimal amount, string currency, FeeGround ground, CancellationToken cancellationToken = default);

    /// <summary>Lists the open requests, soonest due first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<DataSubjectRequest>> ListOpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the open requests whose last day is today or within <paramref name="days"/> days (overdue ones included).</summary>
    /// <param name="days">How many days ahead, 0 or more.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests, soonest due first.</returns>
    ValueTask<IReadOnlyList<DataSubjectRequest>> ListDueWithinAsync(int days, CancellationToken cancellationToken = default);

    /// <summary>Lists the open requests whose last day has passed.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests, longest overdue first.</returns>
    ValueTask<IReadOnlyList<DataSubjectRequest>> ListOverdueAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists requests by status and kind of right.</summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<DataSubjectRequest>> QueryAsync(DataSubjectRequestQuery query, CancellationToken cancellationToken = default);

    /// <summary>Recounts the open and overdue requests for the <c>gdpr.requests.open</c> and <c>gdpr.requests.overdue</c> gauges (run by every transition; call it from a timer so overdue follows the date).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gauges are up to date.</returns>
    ValueTask RefreshMetricsAsync(CancellationToken cancellationToken = default);
}
