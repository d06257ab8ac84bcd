namespace Gdpr.Requests;

/// <summary>Which requests a store query returns; every filter that is set must hold. Results are ordered by due date, then receipt.</summary>
/// <param name="Status">Only requests in this status.</param>
/// <param name="Right">Only requests that ask for this right.</param>
/// <param name="OpenOnly">Only requests that are neither completed nor refused.</param>
/// <param name="DueOnOrBefore">Only requests whose (current) last day is on or before this date.</param>
/// <param name="Limit">At most this many requests.</param>
public sealed record DataSubjectRequestQuery(
    RequestStatus? Status = null,
    DataSubjectRight? Right = null,
    bool OpenOnly = false,
    DateOnly? DueOnOrBefore = null,
    int Limit = 1_000)
{
    /// <summary>Says whether a request passes the filters (the in-memory store's predicate, and the rule for any other store).</summary>
    /// <param name="request">The request.</param>
    /// <returns>Whether it matches.</returns>
    public bool Matches(DataSubjectRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (Status is null || request.Status == Status)
            && (Right is null || request.Rights.Any(r => r.Right == Right))
            && (!OpenOnly || request.IsOpen)
            && (DueOnOrBefore is null || request.Due <= DueOnOrBefore);
    }
}
