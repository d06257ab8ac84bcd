namespace Gdpr.Requests;

/// <summary>
/// The public holidays of the Member State whose rules count a request's period (Regulation (EEC, Euratom) No 1182/71,
/// Art. 2(1): public holidays are the days designated as such in the Member State where the action is to be taken).
/// A period that would end on a Saturday, Sunday or one of these days ends on the next working day (Art. 3(4)).
/// </summary>
/// <remarks>Implementations must be safe for concurrent use and give the same answer for the same date every time.</remarks>
public interface IHolidayCalendar
{
    /// <summary>Gets a name for logs and documentation, for example <c>NL (Algemene termijnenwet art. 3)</c>.</summary>
    string Name { get; }

    /// <summary>Says whether a date is a public holiday (weekends need not be listed).</summary>
    /// <param name="day">The date in the controller's time zone.</param>
    /// <returns>Whether it is a public holiday.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The calendar does not know the holidays of that year.</exception>
    bool IsPublicHoliday(DateOnly day);
}
