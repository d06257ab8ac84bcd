using CsCheck;
using Gdpr.Requests;

namespace Gdpr.Core.Tests.Requests;

/// <summary>
/// Properties of the Art. 12(3) clock (Regulation 1182/71, Art. 3). The Dutch calendar is checked exhaustively over
/// every receipt day of 2024-2030; CsCheck adds what a loop over days cannot: arbitrary holiday calendars, time zones
/// and instants, with a shrunk counter-example when a property fails.
/// </summary>
public sealed class RequestClockPropertyTests
{
    private static readonly DutchHolidayCalendar Dutch = new();
    private static readonly RequestClock Clock = new(RequestTestHost.Amsterdam, Dutch, internalTargetDaysBeforeDue: 7);

    public static TheoryData<int> Years() => [2024, 2025, 2026, 2027, 2028, 2029, 2030];

    /// <summary>Every receipt day: the last day is never before the same date next month (or that month's last day), is a working day, and is the first such day (Art. 3(2)(c), 3(4)).</summary>
    [Theory]
    [MemberData(nameof(Years))]
    public void EveryReceiptDay_DueIsFirstWorkingDayOnOrAfterMonthEnd_Art12_3(int year)
    {
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            var deadline = Clock.GetDeadline(RequestClockTests.AtNoonInAmsterdam(day));
            var monthEnd = SameDateNextMonths(day, 1);

            Assert.Equal(day, deadline.ReceivedOn);
            Assert.Equal(monthEnd, deadline.MonthEnd);
            Assert.True(deadline.Due >= monthEnd, $"{day}: due {deadline.Due} is before {monthEnd}");
            Assert.True(IsWorkingDay(deadline.Due, Dutch), $"{day}: due {deadline.Due} is not a working day");
            for (var between = monthEnd; between < deadline.Due; between = between.AddDays(1))
            {
                Assert.False(IsWorkingDay(between, Dutch), $"{day}: {between} is a working day before due {deadline.Due}");
            }
        }
    }

    /// <summary>Every receipt day: the extension ends two calendar months after the first month's end, on the first working day, never past three months from receipt but for that move (Art. 12(3)).</summary>
    [Theory]
    [MemberData(nameof(Years))]
    public void EveryReceiptDay_ExtensionIsTwoFurtherMonthsUnderTheSameRules_Art12_3(int year)
    {
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            var deadline = Clock.GetDeadline(RequestClockTests.AtNoonInAmsterdam(day));
            var extensionEnd = SameDateNextMonths(SameDateNextMonths(day, 1), 2);

            Assert.Equal(FirstWorkingDayOnOrAfter(extensionEnd, Dutch), deadline.ExtendedDue);
            Assert.True(deadline.ExtendedDue > deadline.Due);
            Assert.True(extensionEnd <= SameDateNextMonths(day, 3), $"{day}: the extension runs past three months");
        }
    }

    /// <summary>Every receipt day: the internal target is after receipt and before the legal last day.</summary>
    [Theory]
    [MemberData(nameof(Years))]
    public void EveryReceiptDay_InternalTargetIsBeforeDue(int year)
    {
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            var deadline = Clock.GetDeadline(RequestClockTests.AtNoonInAmsterdam(day));

            Assert.InRange(deadline.InternalTarget, day.AddDays(1), deadline.Due.AddDays(-1));
            Assert.True(IsWorkingDay(deadline.InternalTarget, Dutch), $"{day}: target {deadline.InternalTarget} is not a working day");
        }
    }

    /// <summary>Any calendar, any time zone, any instant: receipt is the local date, and due and extension follow the same rules.</summary>
    [Fact]
    public void AnyCalendarZoneAndInstant_DeadlineFollowsTheRules_Art12_3()
    {
        var zones = TimeZoneInfo.GetSystemTimeZones();
        var gen = Gen.Select(
            Gen.Long[new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks],
            Gen.Int[0, zones.Count - 1],
            Gen.Int[0, 120].Array[0, 40]);
        gen.Sample((ticks, zoneIndex, holidayOffsets) =>
        {
            var instant = new DateTimeOffset(ticks, TimeSpan.Zero);
            var zone = zones[zoneIndex];
            var receivedOn = DateOnly.FromDateTime(instant.ToOffset(zone.GetUtcOffset(instant)).DateTime);

            // Holidays packed around the month end and the extension's end, where they matter.
            var monthEnd = SameDateNextMonths(receivedOn, 1);
            var calendar = new SetCalendar(holidayOffsets.Select(o => monthEnd.AddDays(o - 10)));
            var deadline = new RequestClock(zone, calendar).GetDeadline(instant);

            Assert.Equal(receivedOn, deadline.ReceivedOn);
            Assert.Equal(FirstWorkingDayOnOrAfter(monthEnd, calendar), deadline.Due);
            Assert.Equal(FirstWorkingDayOnOrAfter(SameDateNextMonths(monthEnd, 2), calendar), deadline.ExtendedDue);
        }, iter: 5_000);
    }

    /// <summary>The same date <paramref name="months"/> later, or that month's last day (Reg. 1182/71 Art. 3(2)(c)), without DateOnly.AddMonths.</summary>
    private static DateOnly SameDateNextMonths(DateOnly date, int months)
    {
        var index = (date.Year * 12) + (date.Month - 1) + months;
        var year = index / 12;
        var month = (index % 12) + 1;
        return new DateOnly(year, month, Math.Min(date.Day, DateTime.DaysInMonth(year, month)));
    }

    private static bool IsWorkingDay(DateOnly date, IHolidayCalendar calendar)
        => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !calendar.IsPublicHoliday(date);

    private static DateOnly FirstWorkingDayOnOrAfter(DateOnly date, IHolidayCalendar calendar)
    {
        while (!IsWorkingDay(date, calendar))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    private sealed class SetCalendar(IEnumerable<DateOnly> holidays) : IHolidayCalendar
    {
        private readonly HashSet<DateOnly> _holidays = [.. holidays];

        public string Name => "generated";

        public bool IsPublicHoliday(DateOnly day) => _holidays.Contains(day);
    }
}
