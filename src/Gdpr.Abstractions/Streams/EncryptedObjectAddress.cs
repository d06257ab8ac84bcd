namespace Gdpr.Streams;

/// <summary>
/// Says which encrypted object is meant: whose (the subject), under which key (the retention scope) and which one
/// (the object's id, unique in its blob store). The object's key is derived from the subject's data key for the
/// scope and the object id, so shredding that data key makes the object unreadable, with no per-object key to track.
/// </summary>
/// <param name="SubjectId">The data subject's id.</param>
/// <param name="Scope">The retention scope (the retention policy's name).</param>
/// <param name="ObjectId">
/// The object's id: 1 to 128 characters of <c>A-Z a-z 0-9 . _ -</c>, not starting with a dot, for example a
/// GUID or <c>call-2026-12-04-0001</c>. It names the blob (a file name in <c>FileSystemBlobStore</c>) and appears
/// in error messages, so it must not be personal data: never a phone number or a customer's name.
/// </param>
public readonly record struct EncryptedObjectAddress(string SubjectId, string Scope, string ObjectId)
{
    /// <summary>Returns the object id and scope, never the subject id (which is personal data).</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => $"{ObjectId} (scope {Scope})";
}
