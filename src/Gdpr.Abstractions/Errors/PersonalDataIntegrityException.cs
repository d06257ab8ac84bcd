namespace Gdpr;

/// <summary>
/// A stored envelope (or wrapped key) was tampered with, truncated, or copied from another subject or field.
/// Names the field and the subject's pseudonym, never the plaintext.
/// </summary>
public sealed class PersonalDataIntegrityException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="PersonalDataIntegrityException"/> class.</summary>
    /// <param name="field">The field identity, for example <c>Customer.Email</c>.</param>
    /// <param name="subjectPseudonym">The subject's pseudonym, when known.</param>
    /// <param name="failure">What was wrong.</param>
    /// <param name="detail">Further context free of personal data (for example the entity's key), or <see langword="null"/>.</param>
    public PersonalDataIntegrityException(string field, string? subjectPseudonym, IntegrityFailure failure, string? detail = null)
        : base(BuildMessage(field, subjectPseudonym, failure, detail))
    {
        Field = field;
        SubjectPseudonym = subjectPseudonym;
        Failure = failure;
    }

    /// <summary>Gets the field identity.</summary>
    public string Field { get; }

    /// <summary>Gets the subject's pseudonym, when known.</summary>
    public string? SubjectPseudonym { get; }

    /// <summary>Gets what was wrong.</summary>
    public IntegrityFailure Failure { get; }

    private static string BuildMessage(string field, string? pseudonym, IntegrityFailure failure, string? detail)
    {
        var why = failure switch
        {
            IntegrityFailure.Truncated => "is truncated",
            IntegrityFailure.UnsupportedFormat => "has an unsupported format version",
            IntegrityFailure.UnknownAlgorithm => "names an unknown algorithm",
            IntegrityFailure.UnknownKeyVersion => "names a key version the subject never had (copied from another subject, or the subject was looked up with another pseudonym key than the data was written with: check GdprOptions.PseudonymKey)",
            _ => "failed authentication (altered, or copied from another subject or field)",
        };
        var who = pseudonym is null ? string.Empty : $" of subject {pseudonym}";
        var more = detail is null ? string.Empty : $" ({detail})";
        return $"The encrypted value of {field}{who} {why}{more}.";
    }
}
