namespace Gdpr.Requests;

/// <summary>No request has the id given; nothing was changed, and the attempt is in the audit trail.</summary>
public sealed class DataSubjectRequestNotFoundException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="DataSubjectRequestNotFoundException"/> class.</summary>
    /// <param name="requestId">The id asked for.</param>
    public DataSubjectRequestNotFoundException(string requestId)
        : base($"There is no data-subject request {requestId} ({RequestRules.UnknownRequest}).")
    {
        RequestId = requestId;
    }

    /// <summary>Gets the id asked for.</summary>
    public string RequestId { get; }
}
