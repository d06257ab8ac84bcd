using System.ComponentModel.DataAnnotations;

namespace Gdpr.Requests;

/// <summary>
/// How data-subject requests are counted and kept; set with
/// <see cref="DataSubjectRequestBuilderExtensions.AddDataSubjectRequests"/> and validated when the host starts.
/// <see cref="TimeZone"/> and <see cref="HolidayCalendar"/> are required: no default pretends to be the controller's.
/// </summary>
public sealed class RequestOptions
{
    /// <summary>The default name of the retention policy that keeps request records for accountability.</summary>
    public const string DefaultRetentionPolicy = "requests";

    /// <summary>
    /// Gets or sets the controller's time zone, in which receipt dates and deadlines are counted, for example
    /// <c>TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")</c>. Required.
    /// </summary>
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>Gets or sets the public holidays of the controller's Member State, for example <see cref="DutchHolidayCalendar"/>. Required.</summary>
    public IHolidayCalendar? HolidayCalendar { get; set; }

    /// <summary>Gets or sets how many calendar days before the legal last day the internal target lies (moved back to a working day).</summary>
    [Range(1, 27, ErrorMessage = "{0} must be between {1} and {2} days.")]
    public int InternalTargetDaysBeforeDue { get; set; } = 7;

    /// <summary>
    /// Gets or sets the retention policy (and key scope) the requester's details are encrypted under. It must be
    /// configured with <see cref="Retention.RetentionClock.RelationshipEnd"/> and a period: the period counts from the
    /// request's closing, and the subject's own erasure does not touch it (the request is its own key subject).
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} is required.")]
    public string RetentionPolicy { get; set; } = DefaultRetentionPolicy;

    /// <summary>Gets or sets the number of digits of a one-time code.</summary>
    [Range(6, 9, ErrorMessage = "{0} must be between {1} and {2} digits.")]
    public int OneTimeCodeLength { get; set; } = 8;

    /// <summary>Gets or sets how long a one-time code is accepted after it was sent.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "{0} must be between {1} and {2}.")]
    public TimeSpan OneTimeCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets how many wrong codes lock a challenge.</summary>
    [Range(1, 10, ErrorMessage = "{0} must be between {1} and {2}.")]
    public int OneTimeCodeMaxAttempts { get; set; } = 5;

    /// <summary>
    /// Gets or sets the directory <see cref="IDataSubjectRequestExecutor"/> writes export packages (GDPR Art. 15, 20) and
    /// erasure certificates (Art. 17) to, as <c>{request id}-access.zip</c>, <c>{request id}-portability.zip</c> and
    /// <c>{request id}-erasure-certificate.json</c> (with <c>.sig</c>); the file name is the right's reference. The
    /// packages hold the subject's data in plaintext: choose a directory only the people answering requests can read.
    /// No default; needed only to execute those rights.
    /// </summary>
    public string? PackageDirectory { get; set; }

    /// <summary>
    /// Gets or sets the retention scope (policy name) that holds the data processed for direct marketing, which
    /// <see cref="IDataSubjectRequestExecutor"/> destroys on an objection to direct marketing (GDPR Art. 21(3)). No
    /// default: which data serves direct marketing is the controller's statement. Without it such an objection is
    /// not executed (rule <see cref="RequestRules.DirectMarketingScopeNotConfigured"/>) and stays open.
    /// </summary>
    public string? DirectMarketingScope { get; set; }

    /// <summary>
    /// Gets or sets how often, at most, the hosted service recounts the open and overdue gauges
    /// (<c>gdpr.requests.open</c>, <c>gdpr.requests.overdue</c>); it also recounts at every midnight of
    /// <see cref="TimeZone"/>, when requests become overdue.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "{0} must be between {1} and {2}.")]
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many codes one request may be sent in all.</summary>
    [Range(1, 10, ErrorMessage = "{0} must be between {1} and {2}.")]
    public int OneTimeCodesPerRequest { get; set; } = 3;
}
