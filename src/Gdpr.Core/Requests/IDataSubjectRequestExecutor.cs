namespace Gdpr.Requests;

/// <summary>
/// Carries out the rights of a verified, started request through the SDK's own services and closes each with its
/// evidence: access (GDPR Art. 15) and portability (Art. 20) through the exporter, the package written to
/// <see cref="RequestOptions.PackageDirectory"/>; erasure (Art. 17) through the erasure service, its signed certificate
/// written there too; an objection to direct marketing (Art. 21(3)) by destroying <see cref="RequestOptions.DirectMarketingScope"/>.
/// Each execution is audited (<c>request.right-executed</c>) and each right is completed with the file name (or, for
/// the objection, the audit entry) as its reference. Other rights (rectification, restriction, other objections,
/// withdrawal of consent) are left open for <see cref="IDataSubjectRequestService.CompleteRightAsync"/>.
/// </summary>
public interface IDataSubjectRequestExecutor
{
    /// <summary>
    /// Executes every open right of the request that the SDK can carry out: the exports first, so that an erasure
    /// asked for in the same request does not empty them. Idempotent: a right already closed is skipped, so after a
    /// failure run it again. Before anything runs, the request must be in progress (refused otherwise, as
    /// <see cref="IDataSubjectRequestService.CompleteRightAsync"/> is) and every right must be executable with the
    /// configuration (refused with <see cref="RequestRules.DirectMarketingScopeNotConfigured"/> otherwise).
    /// </summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="cancellationToken">Cancels the execution; rights completed so far stay completed.</param>
    /// <returns>The request after the execution.</returns>
    /// <exception cref="DataSubjectRequestNotFoundException">No request has this id.</exception>
    /// <exception cref="RequestTransitionRefusedException">
    /// A rule refused it (not started, closed, no direct-marketing scope configured, an incomplete erasure, a kept
    /// direct-marketing scope); audited; the right named stays open.
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="RequestOptions.PackageDirectory"/> is not set and an export or erasure is due.</exception>
    ValueTask<DataSubjectRequest> ExecuteAsync(string requestId, CancellationToken cancellationToken = default);
}
