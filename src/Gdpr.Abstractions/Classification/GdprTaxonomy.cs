using Microsoft.Extensions.Compliance.Classification;

namespace Gdpr.Classification;

/// <summary>
/// The Gdpr data-classification taxonomy. Every <see cref="PersonalDataAttribute"/> and
/// <see cref="DataSubjectIdAttribute"/> is a <see cref="DataClassificationAttribute"/> of this taxonomy, so the
/// standard .NET redaction pipeline (Microsoft.Extensions.Compliance.Redaction) can redact annotated members.
/// </summary>
public static class GdprTaxonomy
{
    /// <summary>The taxonomy name used in every <see cref="DataClassification"/> this SDK produces.</summary>
    public const string TaxonomyName = "Gdpr";

    /// <summary>The classification of a member marked with <see cref="DataSubjectIdAttribute"/>.</summary>
    public static DataClassification SubjectId { get; } = new(TaxonomyName, PersonalDataCategories.SubjectId);

    /// <summary>Returns the classification for a personal-data category identifier such as <c>contact.email</c>.</summary>
    /// <param name="categoryId">A dotted category identifier; see <see cref="PersonalDataCategories"/>.</param>
    /// <returns>The classification in the Gdpr taxonomy.</returns>
    public static DataClassification Classify(string categoryId)
    {
        PersonalDataCategories.ThrowIfInvalidId(categoryId);
        return new DataClassification(TaxonomyName, categoryId);
    }

    /// <summary>
    /// Gets one classification set per category of the taxonomy (and the subject id), for registering one redactor
    /// for all personal data: <c>redaction.SetRedactor&lt;ErasingRedactor&gt;(GdprTaxonomy.AllPersonalData)</c>.
    /// </summary>
    /// <remarks>
    /// One set per category, not one set of all categories: a redactor provider matches the set a member is
    /// classified with exactly, so a single set of every category would match no annotated member. Each call
    /// returns a new array.
    /// </remarks>
    public static DataClassificationSet[] AllPersonalData =>
        [.. PersonalDataCategories.All.Select(c => new DataClassificationSet(new DataClassification(TaxonomyName, c.Id))).Append(new DataClassificationSet(SubjectId)).Distinct()];
}
