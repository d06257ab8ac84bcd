namespace Gdpr.Requests;

/// <summary>What came of a request, following from the outcomes of its rights.</summary>
public enum RequestOutcome
{
    /// <summary>The request is still open.</summary>
    Open = 0,

    /// <summary>Every right asked for was carried out.</summary>
    Completed = 1,

    /// <summary>Some rights were carried out and others refused.</summary>
    PartlyCompleted = 2,

    /// <summary>The request, or every right in it, was refused.</summary>
    Refused = 3,
}
