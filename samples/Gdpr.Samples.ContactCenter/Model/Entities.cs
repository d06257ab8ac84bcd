using Gdpr.Search;
using Gdpr.Classification;

namespace Gdpr.Samples.ContactCenter.Model;

// The contact center's data, annotated. Everything marked [PersonalData] is stored encrypted under the customer's
// key for the member's retention policy; the CustomerNumber is the lookup key and stays in clear.

/// <summary>A customer: name, address, phone, e-mail, date of birth.</summary>
public sealed class Customer
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Name, Purposes = ["customer-service"], Replacement = "[erased]")]
    public string FullName { get; set; } = "";

    [PersonalData(PersonalDataCategories.PostalAddress, Purposes = ["customer-service", "delivery"], Replacement = "[erased]")]
    public string? Address { get; set; }

    // The caller is looked up by phone number when a call comes in, and a chat by e-mail (docs/search.md).
    [PersonalData(PersonalDataCategories.Phone, Purposes = ["customer-service"], Replacement = "[erased]")]
    [BlindIndex("phone", Normalization = BlindIndexNormalization.PhoneNumber)]
    public string? Phone { get; set; }

    [PersonalData(PersonalDataCategories.Email, Purposes = ["customer-service"], Replacement = "[erased]")]
    [BlindIndex("email", Normalization = BlindIndexNormalization.Email)]
    public string? Email { get; set; }

    [PersonalData(PersonalDataCategories.DateOfBirth, Purposes = ["identity-check"])]
    public DateOnly? DateOfBirth { get; set; }
}

/// <summary>A chat session from the website widget.</summary>
public sealed class ChatSession
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    [PersonalData(PersonalDataCategories.CookieId, Purposes = ["chat"], ProvidedBySubject = false, LawfulBasis = LawfulBasis.LegitimateInterests)]
    public string? WebsiteCookieId { get; set; }

    [PersonalData(PersonalDataCategories.IpAddress, Purposes = ["chat", "security"], ProvidedBySubject = false, LawfulBasis = LawfulBasis.LegitimateInterests)]
    public string? IpAddress { get; set; }

    [PersonalData(PersonalDataCategories.ChatTranscript, Purposes = ["customer-service"], Replacement = "[erased]")]
    public string Transcript { get; set; } = "";
}

/// <summary>A phone call, with its recording (announced before recording started, Art. 13).</summary>
public sealed class CallRecord
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    public DateTimeOffset CalledAt { get; set; }

    public int DurationSeconds { get; set; }

    [PersonalData(PersonalDataCategories.Phone, Purposes = ["customer-service"], Replacement = "[erased]")]
    public string CallerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.CallRecording, Purposes = ["quality-assurance"])]
    public byte[]? Recording { get; set; }
}

/// <summary>An invoice: kept seven years for the tax authority (Dutch AWR art. 52), even after an erasure request.</summary>
public sealed class Invoice
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    public string InvoiceNumber { get; set; } = "";

    public DateOnly InvoiceDate { get; set; }

    [PersonalData(PersonalDataCategories.Name, RetentionPolicy = Policies.Tax, Purposes = ["invoicing"], Erasure = ErasureAction.RetainUntilExpiry, LawfulBasis = LawfulBasis.LegalObligation, Replacement = "[erased]")]
    public string BilledName { get; set; } = "";

    [PersonalData(PersonalDataCategories.PostalAddress, RetentionPolicy = Policies.Tax, Purposes = ["invoicing"], Erasure = ErasureAction.RetainUntilExpiry, LawfulBasis = LawfulBasis.LegalObligation, Replacement = "[erased]")]
    public string BillingAddress { get; set; } = "";

    [PersonalData(PersonalDataCategories.Transaction, RetentionPolicy = Policies.Tax, Purposes = ["invoicing"], Erasure = ErasureAction.RetainUntilExpiry, LawfulBasis = LawfulBasis.LegalObligation)]
    public decimal Amount { get; set; }
}

/// <summary>A marketing interest profile: consent-based, destroyed at once on erasure (Art. 21).</summary>
public sealed class InterestProfile
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Interests, RetentionPolicy = Policies.Marketing, Purposes = ["marketing"], LawfulBasis = LawfulBasis.Consent, Replacement = "[erased]")]
    public string Interests { get; set; } = "";
}

/// <summary>The retention policies of this contact center.</summary>
public static class Policies
{
    public const string Default = PersonalDataAttribute.DefaultRetentionPolicy;
    public const string Tax = "tax";
    public const string Marketing = "marketing";
    public const string Requests = Gdpr.Requests.RequestOptions.DefaultRetentionPolicy;
}
