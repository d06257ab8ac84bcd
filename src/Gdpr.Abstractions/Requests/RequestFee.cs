namespace Gdpr.Requests;

/// <summary>A fee charged for a request, recorded with its ground (GDPR Art. 12(5)(a), 15(3)).</summary>
/// <param name="Amount">The amount, more than zero.</param>
/// <param name="Currency">The ISO 4217 currency code, for example <c>EUR</c>.</param>
/// <param name="Ground">Why the regulation allows it.</param>
/// <param name="RecordedAt">When it was recorded.</param>
public sealed record RequestFee(decimal Amount, string Currency, FeeGround Ground, DateTimeOffset RecordedAt);
