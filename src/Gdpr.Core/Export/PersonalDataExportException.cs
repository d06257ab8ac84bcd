namespace Gdpr.Export;

/// <summary>
/// A subject export could not be completed: a data source failed, or returned a value of another subject. Names the
/// source and the subject's pseudonym, never a value. What the export wrote before it failed is incomplete.
/// </summary>
public sealed class PersonalDataExportException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="PersonalDataExportException"/> class.</summary>
    /// <param name="source">The name of the data source that failed.</param>
    /// <param name="subjectPseudonym">The subject's pseudonym.</param>
    /// <param name="reason">What went wrong, free of personal data.</param>
    /// <param name="innerException">The source's exception, if any.</param>
    public PersonalDataExportException(string source, string? subjectPseudonym, string reason, Exception? innerException = null)
        : base(BuildMessage(source, subjectPseudonym, reason), innerException)
    {
        DataSource = source;
        SubjectPseudonym = subjectPseudonym;
    }

    /// <summary>Gets the name of the data source that failed.</summary>
    public string DataSource { get; }

    /// <summary>Gets the subject's pseudonym.</summary>
    public string? SubjectPseudonym { get; }

    private static string BuildMessage(string source, string? pseudonym, string reason)
    {
        var who = pseudonym is null ? string.Empty : $" of subject {pseudonym}";
        return $"The export{who} failed in data source '{source}': {reason}. No complete export was produced.";
    }
}
