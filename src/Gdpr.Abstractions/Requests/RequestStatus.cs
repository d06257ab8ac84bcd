namespace Gdpr.Requests;

/// <summary>Where a request is in its process; see docs/requests.md for the transitions allowed.</summary>
public enum RequestStatus
{
    /// <summary>Received; the period runs from here (GDPR Art. 12(3)).</summary>
    Received = 1,

    /// <summary>The requester was asked to prove their identity (Art. 12(6)).</summary>
    IdentityPending = 2,

    /// <summary>The requester's identity is verified.</summary>
    Verified = 3,

    /// <summary>The rights asked for are being handled.</summary>
    InProgress = 4,

    /// <summary>Every right is closed and at least one was carried out.</summary>
    Completed = 5,

    /// <summary>The request was refused as a whole (Art. 12(5)), or every right in it was refused.</summary>
    Refused = 6,
}
