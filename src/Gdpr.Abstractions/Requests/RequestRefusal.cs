namespace Gdpr.Requests;

/// <summary>The refusal of a request as a whole (GDPR Art. 12(5)(b)), told to the subject as Art. 12(4) requires.</summary>
/// <param name="Ground">Manifestly unfounded or excessive.</param>
/// <param name="Reason">The reason the controller can show, free of personal data.</param>
/// <param name="NoticeRecordedAt">
/// When the notice was recorded that told the subject the reasons and of the possibility to lodge a complaint with a
/// supervisory authority and to seek a judicial remedy (Art. 12(4)); within one month of receipt.
/// </param>
public sealed record RequestRefusal(RefusalGround Ground, string Reason, DateTimeOffset NoticeRecordedAt);
