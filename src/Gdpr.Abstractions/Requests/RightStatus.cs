namespace Gdpr.Requests;

/// <summary>The status of one right within a request; each right is its own process.</summary>
public enum RightStatus
{
    /// <summary>Not yet closed.</summary>
    Open = 1,

    /// <summary>Carried out.</summary>
    Completed = 2,

    /// <summary>Refused, with a reason.</summary>
    Refused = 3,
}
