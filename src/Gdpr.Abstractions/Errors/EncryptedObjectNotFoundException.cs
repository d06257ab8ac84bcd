namespace Gdpr;

/// <summary>The blob store has no committed object with the id asked for (never written, deleted, or its write failed).</summary>
public sealed class EncryptedObjectNotFoundException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="EncryptedObjectNotFoundException"/> class.</summary>
    /// <param name="objectId">The object's id.</param>
    public EncryptedObjectNotFoundException(string objectId)
        : base($"The blob store has no encrypted object {objectId}.")
    {
        ObjectId = objectId;
    }

    /// <summary>Gets the object's id.</summary>
    public string ObjectId { get; }
}
