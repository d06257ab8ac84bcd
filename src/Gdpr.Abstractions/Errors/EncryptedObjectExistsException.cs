namespace Gdpr;

/// <summary>An encrypted object with the id given already exists: objects are immutable, and ids unique in their blob store.</summary>
public sealed class EncryptedObjectExistsException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="EncryptedObjectExistsException"/> class.</summary>
    /// <param name="objectId">The object's id.</param>
    public EncryptedObjectExistsException(string objectId)
        : base($"An encrypted object {objectId} already exists; nothing was written. Use a new id (objects are never overwritten).")
    {
        ObjectId = objectId;
    }

    /// <summary>Gets the object's id.</summary>
    public string ObjectId { get; }
}
