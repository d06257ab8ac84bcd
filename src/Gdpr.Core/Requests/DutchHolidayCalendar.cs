namespace Gdpr.Requests;

/// <summary>
/// The public holidays of the Netherlands for counting periods: the "algemeen erkende feestdagen" of the Algemene
/// termijnenwet (Atw), art. 3. Under Regulation (EEC, Euratom) No 1182/71, Art. 2(1), the public holidays are those
/// of the Member State, so a Dutch controller's period that would end on one of them ends on the next working day.
/// </summary>
/// <remarks>
/// <para>Art. 3(1) Atw lists New Year's Day, Easter Monday and Whit Monday, both Christmas days, Ascension Day, the
/// day the King's birthday is celebrated (Koningsdag: 27 April, or 26 April when 27 April is a Sunday) and 5 May.
/// Art. 3(2) Atw equates Good Friday with those days for the Act's purposes, so it is a holiday here too.
/// Sources (read 2026-12-03): the text of art. 3(1)-(3) as quoted at https://staatsrechtpraktijk.nl/nieuwjaarsdag-en-kerstmis-in-het-staatsrecht/
/// and https://wvhl.nl/algemeen/de-algemene-termijnenwet; Koningsdag on 26 April when 27 April is a Sunday:
/// https://gemeente.groningen.nl/koningsdag-2025.</para>
/// <para>Art. 3(3) Atw lets a royal decree equate further days (published in the Staatscourant, for a few years at a
/// time, for example the Friday after Ascension Day). They are not in the Act, so pass them as
/// <c>equatedDays</c> from the decree in force.</para>
/// <para>Easter is computed with the anonymous Gregorian algorithm. Koningsdag exists since 2014 (before it was
/// Koninginnedag on another date), so years before 2014 are refused rather than answered wrongly.</para>
/// </remarks>
public sealed class DutchHolidayCalendar : IHolidayCalendar
{
    /// <summary>The first year this calendar knows (the first Koningsdag).</summary>
    public const int FirstYear = 2014;

    private readonly HashSet<DateOnly> _equatedDays;

    /// <summary>Initializes a new instance of the <see cref="DutchHolidayCalendar"/> class.</summary>
    /// <param name="equatedDays">Days a royal decree equates with public holidays (Atw art. 3(3)); none when <see langword="null"/>.</param>
    public DutchHolidayCalendar(IEnumerable<DateOnly>? equatedDays = null)
    {
        _equatedDays = equatedDays is null ? [] : [.. equatedDays];
    }

    /// <inheritdoc/>
    public string Name => "NL (Algemene termijnenwet art. 3)";

    /// <inheritdoc/>
    public bool IsPublicHoliday(DateOnly day)
    {
        if (day.Year < FirstYear)
        {
            throw new ArgumentOutOfRangeException(nameof(day), day, $"The Dutch holiday calendar starts in {FirstYear}, the first year of Koningsdag.");
        }

        if (_equatedDays.Contains(day))
        {
            return true;
        }

        switch (day.Month, day.Day)
        {
            case (1, 1):   // Nieuwjaarsdag
            case (5, 5):   // de vijfde mei (Bevrijdingsdag)
            case (12, 25): // eerste Kerstdag
            case (12, 26): // tweede Kerstdag
                return true;
            case (4, 27) or (4, 26):
                return day == KingsDay(day.Year);
        }

        var easter = EasterSunday(day.Year);
        var offset = day.DayNumber - easter.DayNumber;

        // Good Friday (art. 3(2)), Easter Monday, Ascension Day, Whit Monday.
        return offset is -2 or 1 or 39 or 50;
    }

    /// <summary>Koningsdag: 27 April, or the 26th when the 27th is a Sunday.</summary>
    /// <param name="year">The year.</param>
    /// <returns>The date.</returns>
    public static DateOnly KingsDay(int year)
    {
        var day = new DateOnly(year, 4, 27);
        return day.DayOfWeek == DayOfWeek.Sunday ? day.AddDays(-1) : day;
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also known as Meeus/Jones/Butcher).</summary>
    /// <param name="year">The year (1583 or later).</param>
    /// <returns>The date.</returns>
    public static DateOnly EasterSunday(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1583);
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}
