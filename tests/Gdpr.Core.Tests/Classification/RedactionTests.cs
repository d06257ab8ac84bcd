using System.Reflection;
using Gdpr.Classification;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Classification;

/// <summary>
/// The annotations are <see cref="DataClassificationAttribute"/>s of the Gdpr taxonomy, so the standard .NET
/// redaction pipeline redacts annotated members (Art. 5(1)(f), 32: no personal data in logs).
/// </summary>
public class RedactionTests
{
    [Fact]
    public void RedactorProvider_GdprTaxonomyRegistered_RedactsEveryAnnotatedMember()
    {
        var services = new ServiceCollection();
        services.AddRedaction(b => b
            .SetRedactor<ErasingRedactor>(GdprTaxonomy.AllPersonalData)
            .SetFallbackRedactor<NullRedactor>());
        using var provider = services.BuildServiceProvider();
        var redactors = provider.GetRequiredService<IRedactorProvider>();
        var customer = SampleCustomer.Create();

        var annotated = typeof(SampleCustomer).GetProperties().Where(p => p.GetCustomAttribute<DataClassificationAttribute>() is not null).ToList();
        Assert.Equal(6, annotated.Count);
        foreach (var property in annotated)
        {
            var classification = property.GetCustomAttribute<DataClassificationAttribute>()!.Classification;
            Assert.Equal(GdprTaxonomy.TaxonomyName, classification.TaxonomyName);
            var value = Convert.ToString(property.GetValue(customer), System.Globalization.CultureInfo.InvariantCulture)!;

            var redacted = redactors.GetRedactor(classification).Redact(value);

            Assert.IsType<ErasingRedactor>(redactors.GetRedactor(classification));
            Assert.Equal(string.Empty, redacted);
        }

        // A member without annotation has no Gdpr classification and passes through unchanged.
        var notPersonal = redactors.GetRedactor(DataClassification.None);
        Assert.IsType<NullRedactor>(notPersonal);
        Assert.Equal(customer.PreferredLanguage, notPersonal.Redact(customer.PreferredLanguage));
        Assert.Null(typeof(SampleCustomer).GetProperty(nameof(SampleCustomer.PreferredLanguage))!.GetCustomAttribute<DataClassificationAttribute>());
    }

    [Fact]
    public void GdprTaxonomy_AllPersonalData_CoversEveryCategoryAndTheSubjectId()
    {
        foreach (var category in PersonalDataCategories.All)
        {
            var attribute = new PersonalDataAttribute(category.Id);
            Assert.Equal(new DataClassification(GdprTaxonomy.TaxonomyName, category.Id), attribute.Classification);
            Assert.Equal(category.Id, attribute.Category);
        }

        Assert.Equal(GdprTaxonomy.SubjectId, new DataSubjectIdAttribute().Classification);
        var services = new ServiceCollection();
        services.AddRedaction(b => b.SetRedactor<ErasingRedactor>(GdprTaxonomy.AllPersonalData).SetFallbackRedactor<NullRedactor>());
        using var provider = services.BuildServiceProvider();
        var redactors = provider.GetRequiredService<IRedactorProvider>();
        Assert.All(PersonalDataCategories.All, c => Assert.IsType<ErasingRedactor>(redactors.GetRedactor(GdprTaxonomy.Classify(c.Id))));
        Assert.IsType<ErasingRedactor>(redactors.GetRedactor(GdprTaxonomy.SubjectId));
    }

    [Fact]
    public void PersonalDataAttribute_UnknownCategory_IsRejected()
        => Assert.ThrowsAny<ArgumentException>(() => new PersonalDataAttribute("not a category"));

    [Fact]
    public void PersonalDataCategories_HaveStableDottedIds_AndFlagArticle9Categories()
    {
        // Exports and registers key on these ids; renaming one is a breaking change.
        Assert.Equal("contact.email", PersonalDataCategories.Email);
        Assert.Equal("online.ip-address", PersonalDataCategories.IpAddress);
        Assert.Equal("communication.call-recording", PersonalDataCategories.CallRecording);
        Assert.Equal(PersonalDataCategories.All.Count, PersonalDataCategories.All.Select(c => c.Id).Distinct().Count());
        Assert.All(PersonalDataCategories.All, c => Assert.Matches(@"^[a-z]+(\.[a-z-]+)+$", c.Id));
        Assert.True(PersonalDataCategories.TryGet(PersonalDataCategories.Health, out var health) && health.IsSpecialCategory); // Art. 9(1)
        Assert.True(PersonalDataCategories.TryGet(PersonalDataCategories.Email, out var email) && !email.IsSpecialCategory);
    }
}
