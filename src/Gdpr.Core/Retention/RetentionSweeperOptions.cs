using System.ComponentModel.DataAnnotations;

namespace Gdpr.Retention;

/// <summary>Options of the retention sweeper.</summary>
public sealed class RetentionSweeperOptions
{
    /// <summary>Gets or sets how long the hosted sweeper waits between sweeps. Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.0000001", "10675199.02:48:05.4775807")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many scopes one batch reads, checks for holds and destroys. Between 1 and 100,000; default 1,000.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1_000;
}
