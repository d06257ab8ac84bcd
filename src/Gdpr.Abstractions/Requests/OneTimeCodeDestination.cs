namespace Gdpr.Requests;

/// <summary>Which of the requester's contact details a one-time code is sent to.</summary>
public enum OneTimeCodeDestination
{
    /// <summary>The e-mail address.</summary>
    Email = 1,

    /// <summary>The phone number (for example by text message).</summary>
    Phone = 2,
}
