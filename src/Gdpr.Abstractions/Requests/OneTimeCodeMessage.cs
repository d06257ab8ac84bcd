namespace Gdpr.Requests;

/// <summary>A one-time code to deliver to a requester.</summary>
/// <param name="RequestId">The request it proves identity for.</param>
/// <param name="Destination">E-mail or phone.</param>
/// <param name="Address">The address or number to send to (personal data).</param>
/// <param name="Code">The code (secret).</param>
/// <param name="ExpiresAt">Until when it is accepted.</param>
public sealed record OneTimeCodeMessage(string RequestId, OneTimeCodeDestination Destination, string Address, string Code, DateTimeOffset ExpiresAt)
{
    /// <summary>Never prints the address or the code.</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => $"OneTimeCodeMessage {{ RequestId = {RequestId}, Destination = {Destination}, Address = [personal data], Code = [redacted], ExpiresAt = {ExpiresAt:O} }}";
}
