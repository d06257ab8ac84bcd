namespace Gdpr.Requests;

/// <summary>
/// Counts a request's period the way GDPR Art. 12(3) requires, by the rules of Regulation (EEC, Euratom) No 1182/71:
/// the day of receipt is not counted (Art. 3(1)); a period of a month ends on the same date of the next month, or on
/// that month's last day when the date does not exist (Art. 3(2)(c)); an end on a Saturday, Sunday or public holiday
/// moves to the next working day (Art. 3(4)). Receipt is an instant, converted to the controller's time zone.
/// </summary>
/// <remarks>
/// The extension by two further months (Art. 12(3)) is counted from the end of the first month before it is moved
/// off a weekend or holiday, so the total never exceeds three months from receipt except by that move.
/// </remarks>
public sealed class RequestClock
{
    private readonly IHolidayCalendar _holidays;
    private readonly int _internalTargetDaysBeforeDue;

    /// <summary>Initializes a new instance of the <see cref="RequestClock"/> class.</summary>
    /// <param name="timeZone">The controller's time zone; there is no default.</param>
    /// <param name="holidays">The Member State's public holidays.</param>
    /// <param name="internalTargetDaysBeforeDue">How many calendar days before the legal last day the internal target lies (0 to 27).</param>
    public RequestClock(TimeZoneInfo timeZone, IHolidayCalendar holidays, int internalTargetDaysBeforeDue = 0)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        ArgumentNullException.ThrowIfNull(holidays);
        ArgumentOutOfRangeException.ThrowIfNegative(internalTargetDaysBeforeDue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(internalTargetDaysBeforeDue, 27);
        TimeZone = timeZone;
        _holidays = holidays;
        _internalTargetDaysBeforeDue = internalTargetDaysBeforeDue;
    }

    /// <summary>Gets the controller's time zone.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Gets the date an instant falls on in the controller's time zone.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The local date.</returns>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);

    /// <summary>Says whether a date is a working day: not a Saturday, Sunday or public holiday.</summary>
    /// <param name="date">The date.</param>
    /// <returns>Whether it is a working day.</returns>
    public bool IsWorkingDay(DateOnly date)
        => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.IsPublicHoliday(date);

    /// <summary>Counts the period of a request received at an instant.</summary>
    /// <param name="receivedAt">When the request was received.</param>
    /// <returns>The dates.</returns>
    public RequestDeadline GetDeadline(DateTimeOffset receivedAt)
    {
        var receivedOn = LocalDate(receivedAt);

        // DateOnly.AddMonths keeps the day, or takes the month's last day when it has no such day (31 Jan -> 28 Feb).
        var monthEnd = receivedOn.AddMonths(1);
        var due = OnOrNextWorkingDay(monthEnd);
        var extendedDue = OnOrNextWorkingDay(monthEnd.AddMonths(2));
        return new RequestDeadline(receivedOn, monthEnd, due, extendedDue, InternalTarget(receivedOn, due));
    }

    private DateOnly OnOrNextWorkingDay(DateOnly date)
    {
        while (!IsWorkingDay(date))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    private DateOnly InternalTarget(DateOnly receivedOn, DateOnly due)
    {
        if (_internalTargetDaysBeforeDue == 0)
        {
            return due;
        }

        // Back to a working day, but never on or before the day of receipt.
        var target = due.AddDays(-_internalTargetDaysBeforeDue);
        while (!IsWorkingDay(target) && target > receivedOn.AddDays(1))
        {
            target = target.AddDays(-1);
        }

        return target > receivedOn ? target : receivedOn.AddDays(1);
    }
}
