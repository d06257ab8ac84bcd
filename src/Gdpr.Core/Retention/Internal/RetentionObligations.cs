using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>
/// What erasure asks of retention: until when a legal obligation keeps a scope (GDPR Art. 17(3)(b)), when the
/// subject's relationship ended, and keeping a scope scheduled for the sweeper.
/// </summary>
internal sealed class RetentionObligations(
    IRetentionScheduleStore schedule,
    ISubjectKeyStore keyStore)
{
    /// <summary>An erasure request ends the relationship, unless the application recorded an earlier end.</summary>
    public async ValueTask<DateTimeOffset> RecordRelationshipEndAsync(SubjectPseudonym subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var recorded = await schedule.GetRelationshipEndAsync(subject, cancellationToken).ConfigureAwait(false);
        if (recorded is { } end && end <= now)
        {
            return end;
        }

        await schedule.SetRelationshipEndAsync(subject, now, cancellationToken).ConfigureAwait(false);
        return now;
    }

    /// <summary>Until when a legal obligation keeps the scope, or <see langword="null"/> when none does (any more).</summary>
    public async ValueTask<DateTimeOffset?> GetRetainedUntilAsync(
        SubjectPseudonym subject, string scope, RetentionPolicy policy, DateTimeOffset relationshipEnd, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!policy.IsLegalObligation)
        {
            return null;
        }

        DateTimeOffset until;
        switch (policy.Clock)
        {
            case RetentionClock.RelationshipEnd:
                until = policy.GetExpiry(relationshipEnd);
                break;
            case RetentionClock.ApplicationDate:
                // The date the application supplied, as scheduled; without one, count from now — keeping a legal
                // record too long is recoverable, destroying it too early is not.
                var entry = await schedule.GetAsync(subject, scope, cancellationToken).ConfigureAwait(false);
                until = entry?.DestroyAfter ?? policy.GetExpiry(now);
                break;
            default:
                var state = await keyStore.GetStateAsync(subject, scope, cancellationToken).ConfigureAwait(false);
                until = policy.GetExpiry(state.Key?.CreatedAt ?? now);
                break;
        }

        return until > now ? until : null;
    }

    /// <summary>Schedules the scope for the sweeper at <paramref name="destroyAfter"/>.</summary>
    public ValueTask KeepUntilAsync(SubjectPseudonym subject, string scope, DateTimeOffset destroyAfter, CancellationToken cancellationToken)
        => schedule.SetAsync(new RetentionScheduleEntry(subject, scope, destroyAfter), cancellationToken);
}
