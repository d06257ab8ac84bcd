using Gdpr.Keys;

namespace Gdpr.Retention;

/// <inheritdoc cref="IRetentionScheduler"/>
internal sealed class RetentionScheduler(
    ISubjectKeyManager keys,
    IRetentionScheduleStore schedule,
    RetentionPolicyCatalog policies) : IRetentionScheduler
{
    public async ValueTask<IReadOnlyList<RetentionScheduleEntry>> RecordRelationshipEndedAsync(string subjectId, DateTimeOffset endedAt, CancellationToken cancellationToken = default)
    {
        var pseudonym = keys.GetPseudonym(subjectId);
        await schedule.SetRelationshipEndAsync(pseudonym, endedAt, cancellationToken).ConfigureAwait(false);
        var scheduled = new List<RetentionScheduleEntry>();
        await foreach (var scope in keys.GetScopesAsync(subjectId, cancellationToken).ConfigureAwait(false))
        {
            if (policies.TryGetConfigured(scope, out var policy) && policy.Clock == RetentionClock.RelationshipEnd)
            {
                var entry = new RetentionScheduleEntry(pseudonym, scope, policy.GetExpiry(endedAt));
                await schedule.SetAsync(entry, cancellationToken).ConfigureAwait(false);
                scheduled.Add(entry);
            }
        }

        return scheduled;
    }

    public async ValueTask<RetentionScheduleEntry> SetRetentionStartAsync(string subjectId, string policyName, DateTimeOffset startsAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(policyName);
        if (!policies.TryGetConfigured(policyName, out var policy))
        {
            throw new ArgumentException($"Retention policy '{policyName}' is not configured.", nameof(policyName));
        }

        if (policy.Clock != RetentionClock.ApplicationDate)
        {
            throw new ArgumentException(
                $"Retention policy '{policyName}' counts from {policy.Clock}, not from an application-supplied date.", nameof(policyName));
        }

        var entry = new RetentionScheduleEntry(keys.GetPseudonym(subjectId), policyName, policy.GetExpiry(startsAt));
        await schedule.SetAsync(entry, cancellationToken).ConfigureAwait(false);
        return entry;
    }
}
