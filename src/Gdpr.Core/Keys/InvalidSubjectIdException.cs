namespace Gdpr.Keys;

/// <summary>
/// A data subject id the SDK refuses: it contains a character no supported database stores faithfully (NUL, a lone
/// UTF-16 surrogate) or any other control character, or it is longer than <see cref="MaxLength"/>. Thrown before
/// any key is created or any row written. The message never quotes the id.
/// </summary>
/// <remarks>
/// Two ids that differ only in such characters would otherwise share one pseudonym (lenient UTF-8 turns every lone
/// surrogate into U+FFFD), so one subject's data would decrypt as another's and erasing one would erase both.
/// A missing (null, empty or blank) id is an <see cref="ArgumentException"/>, as for any other required argument.
/// </remarks>
public sealed class InvalidSubjectIdException : GdprException
{
    /// <summary>The longest subject id accepted, in UTF-16 code units (an e-mail address may have 254).</summary>
    public const int MaxLength = 256;

    /// <summary>Initializes a new instance of the <see cref="InvalidSubjectIdException"/> class.</summary>
    /// <param name="reason">What is wrong with the id, without quoting it.</param>
    public InvalidSubjectIdException(string reason)
        : base($"The subject id is not valid: {reason}. Subject ids must be at most {MaxLength} characters of well-formed text without control characters.")
    {
        Reason = reason;
    }

    /// <summary>Gets what is wrong with the id (never the id itself).</summary>
    public string Reason { get; }
}
