namespace Gdpr.Requests;

/// <summary>How a request reached the controller (GDPR Art. 12(2): requests may be made by electronic means).</summary>
public enum IntakeChannel
{
    /// <summary>A web form.</summary>
    WebForm = 1,

    /// <summary>An e-mail.</summary>
    Email = 2,

    /// <summary>A phone call.</summary>
    Phone = 3,

    /// <summary>A chat.</summary>
    Chat = 4,

    /// <summary>A letter.</summary>
    Letter = 5,

    /// <summary>In person, for example at a desk.</summary>
    InPerson = 6,
}
