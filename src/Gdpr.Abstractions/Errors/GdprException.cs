namespace Gdpr;

/// <summary>
/// The base of every exception the Gdpr SDK throws on purpose. Messages name entities, members, scopes and
/// subject pseudonyms, never plaintext personal data or key material.
/// </summary>
/// <remarks>
/// An exception that wraps another <see cref="GdprException"/> (directly, or under a wrapper of another library)
/// repeats that cause's message after its own, so the entity, key, member and scope of what really failed are in
/// the one message a log or a console shows. Messages of other exceptions are never copied: they may hold values.
/// </remarks>
public abstract class GdprException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GdprException"/> class.</summary>
    /// <param name="message">A message free of personal data.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected GdprException(string message, Exception? innerException = null)
        : base(WithCause(message, innerException), innerException)
    {
    }

    private static string WithCause(string message, Exception? innerException)
    {
        for (var cause = innerException; cause is not null; cause = cause.InnerException)
        {
            if (cause is GdprException gdpr)
            {
                // Free of personal data by this type's contract, and already carrying its own causes.
                return message is null || message.Contains(gdpr.Message, StringComparison.Ordinal)
                    ? message!
                    : $"{message} Cause: {gdpr.Message}";
            }
        }

        return message;
    }
}
