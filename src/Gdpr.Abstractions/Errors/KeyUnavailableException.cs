namespace Gdpr;

/// <summary>
/// A data key or key-encryption key could not be had: the key store or KMS is unreachable, or the KEK was retired.
/// The SDK fails closed: nothing is written when this is thrown.
/// </summary>
public sealed class KeyUnavailableException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="KeyUnavailableException"/> class.</summary>
    /// <param name="message">A message free of personal data and key material.</param>
    /// <param name="innerException">The cause, if any.</param>
    public KeyUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
