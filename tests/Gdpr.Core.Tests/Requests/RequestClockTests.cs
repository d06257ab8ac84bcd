using Gdpr.Requests;

namespace Gdpr.Core.Tests.Requests;

/// <summary>The legal clock of GDPR Art. 12(3), counted per Regulation 1182/71 (Art. 3(1), 3(2)(c), 3(4)).</summary>
public sealed class RequestClockTests
{
    private static readonly RequestClock Clock = new(RequestTestHost.Amsterdam, new DutchHolidayCalendar(), internalTargetDaysBeforeDue: 7);

    /// <summary>The worked examples of issue 14; receipt at midday in Amsterdam.</summary>
    [Theory]
    [InlineData("2025-01-31", "2025-02-28")] // Fri 31 Jan: February has no 31st, so its last day, a Friday (Reg. 1182/71 Art. 3(2)(c)).
    [InlineData("2026-02-28", "2026-03-30")] // Sat 28 Feb: Sat 28 Mar moves to Mon 30 Mar (Art. 3(4)).
    [InlineData("2026-03-27", "2026-04-28")] // Fri 27 Mar: Mon 27 Apr is Koningsdag, so Tue 28 Apr (Art. 3(4); Atw art. 3(1)).
    public void GetDeadline_WorkedExamples_Art12_3(string received, string due)
    {
        var receivedOn = DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture);
        var deadline = Clock.GetDeadline(AtNoonInAmsterdam(receivedOn));

        Assert.Equal(receivedOn, deadline.ReceivedOn);
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture), deadline.Due);
    }

    /// <summary>Receipt is counted in the controller's time zone: 23:30 UTC on 31 January is 1 February in Amsterdam.</summary>
    [Fact]
    public void GetDeadline_InstantLateInUtcDay_CountsFromTheLocalDate_Art12_3()
    {
        var deadline = Clock.GetDeadline(new DateTimeOffset(2025, 1, 31, 23, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2025, 2, 1), deadline.ReceivedOn);
        Assert.Equal(new DateOnly(2025, 3, 3), deadline.Due); // Sat 1 Mar -> Mon 3 Mar.
    }

    /// <summary>The same instant counted in UTC keeps 31 January: the zone is the controller's, never assumed.</summary>
    [Fact]
    public void GetDeadline_OtherTimeZone_GivesItsOwnDate()
    {
        var utc = new RequestClock(TimeZoneInfo.Utc, new DutchHolidayCalendar());

        Assert.Equal(new DateOnly(2025, 2, 28), utc.GetDeadline(new DateTimeOffset(2025, 1, 31, 23, 30, 0, TimeSpan.Zero)).Due);
    }

    /// <summary>The extension runs two further months from the first month's end, under the same rules (Art. 12(3)).</summary>
    [Theory]
    [InlineData("2025-01-31", "2025-04-28")] // month end 28 Feb -> 28 Apr (Mon).
    [InlineData("2026-02-28", "2026-05-28")] // month end Sat 28 Mar -> Thu 28 May: never past three months from receipt.
    [InlineData("2026-03-03", "2026-06-03")] // month end 3 Apr is Good Friday, but the extension counts from 3 Apr: Wed 3 Jun.
    public void GetDeadline_Extension_TwoFurtherMonths_Art12_3(string received, string extendedDue)
    {
        var receivedOn = DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateOnly.Parse(extendedDue, System.Globalization.CultureInfo.InvariantCulture), Clock.GetDeadline(AtNoonInAmsterdam(receivedOn)).ExtendedDue);
    }

    /// <summary>The internal target lies the configured days before the legal last day, on a working day.</summary>
    [Fact]
    public void GetDeadline_InternalTarget_IsEarlierWorkingDay()
    {
        // Due Tue 28 Apr 2026; 7 days before is Tue 21 Apr.
        var deadline = Clock.GetDeadline(AtNoonInAmsterdam(new DateOnly(2026, 3, 27)));
        Assert.Equal(new DateOnly(2026, 4, 21), deadline.InternalTarget);

        // Due Mon 30 Mar 2026; 7 days before is Mon 23 Mar. Received Sat 28 Feb.
        Assert.Equal(new DateOnly(2026, 3, 23), Clock.GetDeadline(AtNoonInAmsterdam(new DateOnly(2026, 2, 28))).InternalTarget);

        // Due Thu 7 May 2026 (received Tue 7 Apr); 2 days before is Tue 5 May, Bevrijdingsdag: back to Mon 4 May.
        var close = new RequestClock(RequestTestHost.Amsterdam, new DutchHolidayCalendar(), internalTargetDaysBeforeDue: 2);
        Assert.Equal(new DateOnly(2026, 5, 4), close.GetDeadline(AtNoonInAmsterdam(new DateOnly(2026, 4, 7))).InternalTarget);
    }

    /// <summary>
    /// Every public holiday of 2026 under Atw art. 3 (the list published for 2026, e.g. alle-feestdagen.be), and no
    /// other day: Good Friday is in it by art. 3(2); Easter Sunday and Whit Sunday are Sundays anyway.
    /// </summary>
    [Fact]
    public void DutchCalendar_2026_IsExactlyTheAtwList()
    {
        var calendar = new DutchHolidayCalendar();
        var holidays = Enumerable.Range(0, 365).Select(i => new DateOnly(2026, 1, 1).AddDays(i)).Where(calendar.IsPublicHoliday).ToList();

        Assert.Equal(
            [
                new DateOnly(2026, 1, 1), new DateOnly(2026, 4, 3), new DateOnly(2026, 4, 6), new DateOnly(2026, 4, 27),
                new DateOnly(2026, 5, 5), new DateOnly(2026, 5, 14), new DateOnly(2026, 5, 25), new DateOnly(2026, 12, 25),
                new DateOnly(2026, 12, 26),
            ],
            holidays);
    }

    /// <summary>Koningsdag is 26 April when 27 April is a Sunday (2025), and 27 April otherwise.</summary>
    [Fact]
    public void DutchCalendar_KingsDay_MovesOffSunday()
    {
        var calendar = new DutchHolidayCalendar();

        Assert.True(calendar.IsPublicHoliday(new DateOnly(2025, 4, 26)));
        Assert.False(calendar.IsPublicHoliday(new DateOnly(2025, 4, 28)));
        Assert.True(calendar.IsPublicHoliday(new DateOnly(2026, 4, 27)));
        Assert.False(calendar.IsPublicHoliday(new DateOnly(2026, 4, 26)));
        Assert.Equal(new DateOnly(2031, 4, 26), DutchHolidayCalendar.KingsDay(2031));
    }

    /// <summary>Easter Sunday by the anonymous Gregorian algorithm, against published dates (incl. the earliest and latest possible).</summary>
    [Theory]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2027, 3, 28)]
    [InlineData(2028, 4, 16)]
    [InlineData(2029, 4, 1)]
    [InlineData(2030, 4, 21)]
    [InlineData(2038, 4, 25)]
    [InlineData(2285, 3, 22)]
    public void EasterSunday_KnownYears(int year, int month, int day)
        => Assert.Equal(new DateOnly(year, month, day), DutchHolidayCalendar.EasterSunday(year));

    /// <summary>Days a royal decree equates with holidays (Atw art. 3(3)) count when passed in, and move a deadline.</summary>
    [Fact]
    public void DutchCalendar_EquatedDays_CountAsHolidays()
    {
        var friday = new DateOnly(2026, 5, 15); // the Friday after Ascension Day
        var calendar = new DutchHolidayCalendar([friday]);
        var clock = new RequestClock(RequestTestHost.Amsterdam, calendar);

        Assert.True(calendar.IsPublicHoliday(friday));
        Assert.False(new DutchHolidayCalendar().IsPublicHoliday(friday));
        Assert.Equal(new DateOnly(2026, 5, 18), clock.GetDeadline(AtNoonInAmsterdam(new DateOnly(2026, 4, 15))).Due);
    }

    /// <summary>Years before the first Koningsdag are refused rather than answered with a wrong calendar.</summary>
    [Fact]
    public void DutchCalendar_BeforeFirstYear_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new DutchHolidayCalendar().IsPublicHoliday(new DateOnly(2013, 4, 30)));

    internal static DateTimeOffset AtNoonInAmsterdam(DateOnly date)
    {
        var local = date.ToDateTime(new TimeOnly(12, 0));
        return new DateTimeOffset(local, RequestTestHost.Amsterdam.GetUtcOffset(local));
    }
}
