using Gdpr.Classification;
using Microsoft.Extensions.Compliance.Classification;

namespace Gdpr;

/// <summary>
/// Marks the member that says whose personal data a row holds (a customer number, an account id).
/// Every type with <see cref="PersonalDataAttribute"/> members has exactly one such member.
/// </summary>
/// <remarks>
/// The subject id is itself personal data: it is classified in the Gdpr taxonomy so that loggers redact it,
/// and the key store only ever sees a keyed pseudonym of it.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class DataSubjectIdAttribute : DataClassificationAttribute
{
    /// <summary>Initializes a new instance of the <see cref="DataSubjectIdAttribute"/> class.</summary>
    public DataSubjectIdAttribute()
        : base(GdprTaxonomy.SubjectId)
    {
    }
}
