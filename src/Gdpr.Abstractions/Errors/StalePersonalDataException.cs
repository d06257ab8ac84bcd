namespace Gdpr;

/// <summary>
/// A save would write back personal data that was read before its subject's key for the scope was destroyed (an
/// erasure, or a retention sweep, ran after the entity was read). Nothing was written: what the application holds
/// in memory is a copy of erased data, and storing it again would undo the erasure (GDPR Art. 17). Read the entity
/// again (a new context, or a new query after detaching it) and assign the new values to it.
/// </summary>
public sealed class StalePersonalDataException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="StalePersonalDataException"/> class.</summary>
    /// <param name="entity">The entity type's name.</param>
    /// <param name="scope">The retention scope whose key was destroyed.</param>
    /// <param name="subjectPseudonym">The subject's pseudonym (never the subject id).</param>
    /// <param name="detail">Further context free of personal data (for example the entity's key), or <see langword="null"/>.</param>
    public StalePersonalDataException(string entity, string scope, string subjectPseudonym, string? detail = null)
        : base($"{entity}{(detail is null ? string.Empty : $" ({detail})")}: its values of scope {scope} were read before the key of subject {subjectPseudonym} for that scope was destroyed; "
               + "they are not written back, and nothing was saved. Read the entity again and assign new values to it.")
    {
        Entity = entity;
        Scope = scope;
        SubjectPseudonym = subjectPseudonym;
    }

    /// <summary>Gets the entity type's name.</summary>
    public string Entity { get; }

    /// <summary>Gets the retention scope whose key was destroyed.</summary>
    public string Scope { get; }

    /// <summary>Gets the subject's pseudonym.</summary>
    public string SubjectPseudonym { get; }
}
