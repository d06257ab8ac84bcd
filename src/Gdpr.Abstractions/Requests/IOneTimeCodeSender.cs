namespace Gdpr.Requests;

/// <summary>Delivers one-time codes (by e-mail, text message, ...). The application provides it; the SDK never logs a code.</summary>
public interface IOneTimeCodeSender
{
    /// <summary>Sends a code.</summary>
    /// <param name="message">The code, where to, and until when it holds.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the code was handed over for delivery.</returns>
    ValueTask SendAsync(OneTimeCodeMessage message, CancellationToken cancellationToken = default);
}
