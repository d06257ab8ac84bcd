namespace Gdpr.Export;

/// <summary>A party's name and how to reach it.</summary>
public sealed class ContactInfo
{
    /// <summary>Gets or sets the name, for example the controller's legal name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets how to reach the party: postal address, e-mail address, telephone or web form.</summary>
    public string? Contact { get; set; }

    internal bool IsEmpty => string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Contact);
}
