namespace Gdpr.Requests;

/// <summary>The extension of a request's period by two further months (GDPR Art. 12(3)).</summary>
/// <param name="Reasons">The reasons given to the subject (complexity, number of requests), free of personal data.</param>
/// <param name="NoticeRecordedAt">When the notice to the subject was recorded; within the first month.</param>
/// <param name="ExtendedDue">The new last day, in the controller's time zone.</param>
public sealed record RequestExtension(string Reasons, DateTimeOffset NoticeRecordedAt, DateOnly ExtendedDue);
