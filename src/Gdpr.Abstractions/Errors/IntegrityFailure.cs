namespace Gdpr;

/// <summary>Why an envelope or wrapped key could not be trusted.</summary>
public enum IntegrityFailure
{
    /// <summary>Shorter than its header says.</summary>
    Truncated = 1,

    /// <summary>A format version this SDK does not know.</summary>
    UnsupportedFormat = 2,

    /// <summary>An algorithm id this SDK does not know.</summary>
    UnknownAlgorithm = 3,

    /// <summary>A key version the subject never had (the envelope was altered or belongs to another subject).</summary>
    UnknownKeyVersion = 4,

    /// <summary>The authentication tag did not verify: the bytes were altered, or belong to another subject or field.</summary>
    AuthenticationFailed = 5,

    /// <summary>
    /// An encrypted object ends before its final segment: it was cut at a segment boundary, or its writer stopped
    /// (a crash, or a stream disposed without <see cref="Streams.EncryptedObjectWriteStream.CompleteAsync"/>).
    /// </summary>
    Incomplete = 6,

    /// <summary>An encrypted object has bytes after its final segment.</summary>
    Extended = 7,

    /// <summary>An encrypted object's header names another object: the blob was moved or copied under this object's id.</summary>
    WrongObject = 8,
}
