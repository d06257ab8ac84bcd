namespace Gdpr.Retention;

/// <summary>
/// Where the application tells the SDK the dates that start retention clocks: the end of a customer relationship
/// (<see cref="RetentionClock.RelationshipEnd"/>) and application-supplied dates (<see cref="RetentionClock.ApplicationDate"/>).
/// The retention sweeper destroys each scope when its period has run from that date (GDPR Art. 5(1)(e)).
/// </summary>
public interface IRetentionScheduler
{
    /// <summary>
    /// Records that the relationship with a subject ended, and schedules the destruction of the subject's scopes
    /// whose policy counts from it. Call it again after writing further values under such a scope.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="endedAt">When the relationship ended.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The scopes scheduled, with their destroy-after dates.</returns>
    ValueTask<IReadOnlyList<RetentionScheduleEntry>> RecordRelationshipEndedAsync(string subjectId, DateTimeOffset endedAt, CancellationToken cancellationToken = default);

    /// <summary>Sets the date from which a policy with <see cref="RetentionClock.ApplicationDate"/> counts for one subject.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="policyName">The policy (and scope) name.</param>
    /// <param name="startsAt">The date the period counts from, for example the date of the last invoice.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The scheduled entry.</returns>
    /// <exception cref="ArgumentException">The policy is not configured or does not use <see cref="RetentionClock.ApplicationDate"/>.</exception>
    ValueTask<RetentionScheduleEntry> SetRetentionStartAsync(string subjectId, string policyName, DateTimeOffset startsAt, CancellationToken cancellationToken = default);
}
