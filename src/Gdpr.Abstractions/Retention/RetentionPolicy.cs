namespace Gdpr.Retention;

/// <summary>
/// How long one kind of personal data is kept and why (GDPR Art. 5(1)(e)). The policy's name is also the key scope
/// of the values that name it in <see cref="PersonalDataAttribute.RetentionPolicy"/>.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>Gets the policy's name, for example <c>tax</c> or <c>marketing</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the period in calendar years (added before months and days).</summary>
    public int Years { get; init; }

    /// <summary>Gets the period in calendar months.</summary>
    public int Months { get; init; }

    /// <summary>Gets the period in days.</summary>
    public int Days { get; init; }

    /// <summary>Gets what starts the clock.</summary>
    public RetentionClock Clock { get; init; } = RetentionClock.Collection;

    /// <summary>
    /// Gets whether a legal obligation requires keeping the data for the whole period, so that an erasure request
    /// does not destroy it early (GDPR Art. 17(3)(b); for example Dutch AWR art. 52, seven years for tax records).
    /// </summary>
    public bool IsLegalObligation { get; init; }

    /// <summary>Gets the legal basis in words, for exports and registers, for example "Dutch AWR art. 52 (7-year fiscal retention)".</summary>
    public string LegalBasis { get; init; } = string.Empty;

    /// <summary>Gets whether destroying the scope also deletes the rows that hold it, rather than leaving them to read as erased.</summary>
    public bool DeleteRowsOnErasure { get; init; }

    /// <summary>
    /// Gets whether the policy has a period (any of <see cref="Years"/>, <see cref="Months"/>, <see cref="Days"/> is
    /// not zero). A <see cref="RetentionClock.Collection"/> policy without a period never expires on its own: its
    /// values are kept until the subject is erased. With the other clocks a zero period ends at the clock's date.
    /// </summary>
    public bool HasPeriod => Years != 0 || Months != 0 || Days != 0;

    /// <summary>Returns the moment the period ends for a clock that started at <paramref name="start"/>.</summary>
    /// <param name="start">When the clock started.</param>
    /// <returns>The end of retention; the scope may be destroyed from then on, not a moment earlier.</returns>
    public DateTimeOffset GetExpiry(DateTimeOffset start) => start.AddYears(Years).AddMonths(Months).AddDays(Days);
}
