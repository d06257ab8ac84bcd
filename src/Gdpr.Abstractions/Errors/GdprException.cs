namespace Gdpr;

/// <summary>
/// The base of every exception the Gdpr SDK throws on purpose. Messages name entities, members, scopes and
/// subject pseudonyms, never plaintext personal data or key material.
/// </summary>
public abstract class GdprException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GdprException"/> class.</summary>
    /// <param name="message">A message free of personal data.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected GdprException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
