namespace Gdpr.Requests;

/// <summary>The dates of one request's period, all in the controller's time zone.</summary>
/// <param name="ReceivedOn">The date of receipt; not counted (Regulation 1182/71, Art. 3(1)).</param>
/// <param name="MonthEnd">The end of the month before moving off a weekend or holiday: the same date a month later, or that month's last day.</param>
/// <param name="Due">The last day to act (GDPR Art. 12(3)): <paramref name="MonthEnd"/>, or the next working day.</param>
/// <param name="ExtendedDue">The last day if the period is extended by two further months, counted from <paramref name="MonthEnd"/> under the same rules.</param>
/// <param name="InternalTarget">The controller's own earlier target, a working day before <paramref name="Due"/>.</param>
public sealed record RequestDeadline(DateOnly ReceivedOn, DateOnly MonthEnd, DateOnly Due, DateOnly ExtendedDue, DateOnly InternalTarget);
