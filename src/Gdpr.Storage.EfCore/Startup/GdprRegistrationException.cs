namespace Gdpr.Storage.EfCore;

/// <summary>
/// A DbContext the SDK was told about is set up so that it could store personal data as plaintext or miss the
/// SDK's tables: registered without <c>UseGdpr</c>, not registered at all, or without the model-builder call of a
/// store it holds. Thrown when the host starts (and, without a host, on first use), before any row is written.
/// </summary>
public sealed class GdprRegistrationException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="GdprRegistrationException"/> class.</summary>
    /// <param name="contextType">The DbContext's type name.</param>
    /// <param name="message">What is wrong and the call that fixes it, free of personal data.</param>
    public GdprRegistrationException(string contextType, string message)
        : base($"DbContext '{contextType}': {message}")
    {
        ContextType = contextType;
    }

    /// <summary>Gets the DbContext's type name.</summary>
    public string ContextType { get; }
}
