namespace Gdpr;

/// <summary>
/// An encrypted object's bytes cannot be trusted: altered, cut, extended, segments reordered, duplicated or taken
/// from another object, the header edited, or the blob moved under another object's id. Names the object, the
/// subject's pseudonym and the segment, never plaintext. Nothing of the object is returned from a segment that
/// failed.
/// </summary>
public sealed class EncryptedObjectIntegrityException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="EncryptedObjectIntegrityException"/> class.</summary>
    /// <param name="objectId">The object's id.</param>
    /// <param name="subjectPseudonym">The subject's pseudonym, when known.</param>
    /// <param name="failure">What was wrong.</param>
    /// <param name="segment">The segment that failed (counted from 0), or <see langword="null"/> when the header failed.</param>
    public EncryptedObjectIntegrityException(string objectId, string? subjectPseudonym, IntegrityFailure failure, long? segment = null)
        : base(BuildMessage(objectId, subjectPseudonym, failure, segment))
    {
        ObjectId = objectId;
        SubjectPseudonym = subjectPseudonym;
        Failure = failure;
        Segment = segment;
    }

    /// <summary>Gets the object's id.</summary>
    public string ObjectId { get; }

    /// <summary>Gets the subject's pseudonym, when known.</summary>
    public string? SubjectPseudonym { get; }

    /// <summary>Gets what was wrong.</summary>
    public IntegrityFailure Failure { get; }

    /// <summary>Gets the segment that failed, or <see langword="null"/> when the header failed.</summary>
    public long? Segment { get; }

    private static string BuildMessage(string objectId, string? pseudonym, IntegrityFailure failure, long? segment)
    {
        var why = failure switch
        {
            IntegrityFailure.Truncated => "is shorter than its header and one segment",
            IntegrityFailure.UnsupportedFormat => "is not an encrypted object of a format this SDK knows",
            IntegrityFailure.UnknownAlgorithm => "names an unknown algorithm",
            IntegrityFailure.UnknownKeyVersion => "names a key version the subject never had (written for another subject or scope, or the header was altered)",
            IntegrityFailure.Incomplete => "ends before its final segment (cut at a segment boundary, or its writer stopped before completing it)",
            IntegrityFailure.Extended => "has bytes after its final segment",
            IntegrityFailure.WrongObject => "holds the bytes of another object (the blob was moved or copied under this id)",
            _ => "failed authentication (altered, cut inside a segment, segments reordered or taken from another object, or written for another subject or scope)",
        };
        var who = pseudonym is null ? string.Empty : $" of subject {pseudonym}";
        var where = segment is null ? string.Empty : $" (segment {segment})";
        return $"The encrypted object {objectId}{who} {why}{where}.";
    }
}
