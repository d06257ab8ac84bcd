namespace Gdpr.Export;

/// <summary>A recipient, or category of recipients, of the subject's data (GDPR Art. 15(1)(c)).</summary>
public sealed class RecipientInfo
{
    /// <summary>Gets or sets the recipient's name or category, for example <c>Payment service provider</c>. Required.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets what the recipient receives and why.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the third country or international organisation, when the data leaves the EEA (Art. 15(2)).</summary>
    public string? ThirdCountry { get; set; }

    /// <summary>Gets or sets the safeguards of such a transfer (Art. 46), for example standard contractual clauses.</summary>
    public string? Safeguards { get; set; }
}
