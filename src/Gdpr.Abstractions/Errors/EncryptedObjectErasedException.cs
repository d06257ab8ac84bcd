namespace Gdpr;

/// <summary>
/// An encrypted object was written under a data key that has since been destroyed (crypto-shredding, GDPR Art. 17):
/// it can never be read again, in any copy.
/// </summary>
public sealed class EncryptedObjectErasedException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="EncryptedObjectErasedException"/> class.</summary>
    /// <param name="objectId">The object's id.</param>
    /// <param name="scope">The retention scope whose key was destroyed.</param>
    /// <param name="subjectPseudonym">The subject's pseudonym (never the subject id).</param>
    public EncryptedObjectErasedException(string objectId, string scope, string subjectPseudonym)
        : base($"The encrypted object {objectId} is erased: the key of subject {subjectPseudonym} for scope {scope} it was written under was destroyed.")
    {
        ObjectId = objectId;
        Scope = scope;
        SubjectPseudonym = subjectPseudonym;
    }

    /// <summary>Gets the object's id.</summary>
    public string ObjectId { get; }

    /// <summary>Gets the retention scope whose key was destroyed.</summary>
    public string Scope { get; }

    /// <summary>Gets the subject's pseudonym.</summary>
    public string SubjectPseudonym { get; }
}
