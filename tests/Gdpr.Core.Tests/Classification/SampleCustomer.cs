using Gdpr.Classification;

namespace Gdpr.Core.Tests.Classification;

/// <summary>A contact-center entity as an application would annotate it.</summary>
public sealed class SampleCustomer
{
    [DataSubjectId]
    public string CustomerNumber { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Name, Purposes = ["support"])]
    public string Name { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Email, Replacement = "[erased]")]
    public string Email { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Phone)]
    public string Phone { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.IpAddress, RetentionPolicy = "security", Erasure = ErasureAction.RetainUntilExpiry)]
    public string LastIpAddress { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.DateOfBirth)]
    public DateOnly BirthDate { get; set; }

    /// <summary>Not personal data: no annotation.</summary>
    public string PreferredLanguage { get; set; } = "nl-NL";

    public static SampleCustomer Create() => new()
    {
        CustomerNumber = "C-100234",
        Name = "Jan Jansen",
        Email = "jan@example.org",
        Phone = "+31 6 12345678",
        LastIpAddress = "192.0.2.17",
        BirthDate = new DateOnly(1984, 2, 29),
    };
}
