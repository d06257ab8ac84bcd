namespace Gdpr;

/// <summary>The lawful basis of a processing (GDPR Art. 6(1)).</summary>
public enum LawfulBasis
{
    /// <summary>Art. 6(1)(b): necessary for a contract with the subject (the default for a customer relationship).</summary>
    Contract = 0,

    /// <summary>Art. 6(1)(a): the subject consented.</summary>
    Consent = 1,

    /// <summary>Art. 6(1)(c): a legal obligation of the controller (for example fiscal retention).</summary>
    LegalObligation = 2,

    /// <summary>Art. 6(1)(d): the vital interests of the subject or another person.</summary>
    VitalInterests = 3,

    /// <summary>Art. 6(1)(e): a task in the public interest.</summary>
    PublicTask = 4,

    /// <summary>Art. 6(1)(f): the legitimate interests of the controller.</summary>
    LegitimateInterests = 5,
}
