using System.Globalization;
using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.DataSources;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Erasure;

/// <inheritdoc cref="IErasureService"/>
/// <remarks>
/// Order matters for failure: keys are destroyed first (what matters most, and unreadable data is the safe side of
/// a crash), sources run after, and the audit entry and certificate last. A scope counts as destroyed only once the
/// key store confirms it (a tombstone); every step is idempotent, so a retry completes what a failure left.
/// </remarks>
internal sealed class ErasureService : IErasureService
{
    private readonly ISubjectKeyManager _keys;
    private readonly ISubjectKeyStore _keyStore;
    private readonly IPersonalDataSource[] _sources;
    private readonly IRetentionScheduleStore _schedule;
    private readonly ILegalHoldStore _holds;
    private readonly IAuditTrail _audit;
    private readonly IErasureCertificateIssuer _certificates;
    private readonly RetentionPolicyRegistry _policies;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ErasureService(
        ISubjectKeyManager keys,
        ISubjectKeyStore keyStore,
        IEnumerable<IPersonalDataSource> sources,
        IRetentionScheduleStore schedule,
        ILegalHoldStore holds,
        IAuditTrail audit,
        IErasureCertificateIssuer certificates,
        RetentionPolicyRegistry policies,
        TimeProvider time,
        ILogger<ErasureService>? logger = null)
    {
        _keys = keys;
        _keyStore = keyStore;
        _sources = [.. sources.OrderBy(s => s.Name, StringComparer.Ordinal)];
        _schedule = schedule;
        _holds = holds;
        _audit = audit;
        _certificates = certificates;
        _policies = policies;
        _time = time;
        _logger = logger ?? NullLogger<ErasureService>.Instance;
    }

    public async ValueTask<ErasureResult> EraseAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        var pseudonym = _keys.GetPseudonym(subjectId);
        var now = _time.GetUtcNow();
        var holds = await _holds.GetActiveAsync(pseudonym, cancellationToken).ConfigureAwait(false);

        var live = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var scope in _keys.GetScopesAsync(subjectId, cancellationToken).ConfigureAwait(false))
        {
            live.Add(scope);
        }

        // Only a subject with live keys has a relationship whose end matters: an unknown id leaves no schedule row.
        var relationshipEnd = live.Count > 0 ? await RecordRelationshipEndAsync(pseudonym, now, cancellationToken).ConfigureAwait(false) : now;
        var tombstones = await GetLatestTombstonesAsync(pseudonym, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<ScopeErasureOutcome>();
        var events = new List<AuditEvent>();
        foreach (var scope in live.Union(tombstones.Keys).Order(StringComparer.Ordinal))
        {
            if (!live.Contains(scope))
            {
                // Destroyed before (an earlier erasure, a sweep): report the evidence the store keeps.
                outcomes.Add(Destroyed(tombstones[scope]));
                continue;
            }

            var policy = _policies.Get(scope);
            var retainedUntil = await GetRetainedUntilAsync(pseudonym, scope, policy, relationshipEnd, now, cancellationToken).ConfigureAwait(false);
            if (holds.Count > 0)
            {
                // Art. 17(3)(e): nothing goes while a hold is active. Due at once (or when the obligation ends), so the
                // sweeper destroys it after the release even if nobody erases again.
                await _schedule.SetAsync(new RetentionScheduleEntry(pseudonym, scope, retainedUntil ?? now), cancellationToken).ConfigureAwait(false);
                outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Held)
                {
                    RetainedUntil = retainedUntil,
                    LegalBasis = retainedUntil is null ? null : policy.LegalBasis,
                });
            }
            else if (retainedUntil is { } until)
            {
                // Art. 17(3)(b): a legal obligation keeps the scope; the sweeper destroys it at the end of the period.
                await _schedule.SetAsync(new RetentionScheduleEntry(pseudonym, scope, until), cancellationToken).ConfigureAwait(false);
                outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Retained) { RetainedUntil = until, LegalBasis = policy.LegalBasis });
            }
            else
            {
                var outcome = await DestroyAsync(subjectId, pseudonym, scope, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    continue;
                }

                outcomes.Add(outcome);
                if (outcome.Status == ScopeErasureStatus.Destroyed)
                {
                    events.Add(ShreddedEvent(pseudonym, outcome, "erasure"));
                }
            }
        }

        // Every destroyed scope, now or before: a retry finishes a removal an earlier attempt (or a crash) left pending.
        var removal = outcomes.Any(o => o.Status == ScopeErasureStatus.Destroyed)
            ? await CompleteRemovalAsync(pseudonym, cancellationToken).ConfigureAwait(false)
            : KeyRemovalStatus.NotApplicable;

        var request = new DataSourceErasureRequest(
            outcomes.Where(o => o.Status == ScopeErasureStatus.Destroyed).Select(o => o.Scope).ToHashSet(StringComparer.Ordinal),
            outcomes.Where(o => o.Status is ScopeErasureStatus.Retained or ScopeErasureStatus.Held or ScopeErasureStatus.Failed)
                .Select(o => o.Scope).ToHashSet(StringComparer.Ordinal));
        var sources = new List<SourceErasureOutcome>(_sources.Length);
        foreach (var source in _sources)
        {
            sources.Add(await EraseSourceAsync(source, subjectId, pseudonym, request, cancellationToken).ConfigureAwait(false));
        }

        // Values of a scope the key store knows nothing of under this pseudonym: written under another pseudonym key,
        // or their keys were lost. Not destroyed, perhaps readable again with the right key: never certified.
        var known = live.Union(tombstones.Keys).ToHashSet(StringComparer.Ordinal);
        var missing = sources.SelectMany(s => s.ScopesFound).Where(s => !known.Contains(s)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            ErasureLog.ErasureKeyMissing(_logger, pseudonym.Value, string.Join(",", missing.Order(StringComparer.Ordinal)));
            outcomes.AddRange(missing.Select(s => new ScopeErasureOutcome(s, ScopeErasureStatus.KeyMissing)));
            outcomes.Sort((a, b) => string.CompareOrdinal(a.Scope, b.Scope));
        }

        var result = new ErasureResult
        {
            Subject = pseudonym,
            ErasedAt = now,
            Scopes = outcomes,
            Sources = sources,
            Holds = holds,
            PhysicalRemoval = removal,
        };

        events.Add(SummaryEvent(result));
        var appended = await _audit.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        result = result with { AuditSequence = appended[^1].Sequence, AuditHash = appended[^1].Hash };
        if (result.Outcome is ErasureOutcome.Erased or ErasureOutcome.NothingFound)
        {
            result = result with { Certificate = _certificates.Issue(result) };
        }

        ErasureLog.ErasureFinished(
            _logger,
            pseudonym.Value,
            Count(outcomes, ScopeErasureStatus.Destroyed),
            Count(outcomes, ScopeErasureStatus.Retained),
            Count(outcomes, ScopeErasureStatus.Held),
            Count(outcomes, ScopeErasureStatus.Failed),
            sources.Count(s => !s.Succeeded));
        return result;
    }

    private async ValueTask<KeyRemovalStatus> CompleteRemovalAsync(SubjectPseudonym pseudonym, CancellationToken cancellationToken)
    {
        try
        {
            return await _keyStore.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            // The keys are destroyed either way; what is not known is whether the engine's files still hold their bytes.
            ErasureLog.ErasureRemovalFailed(_logger, pseudonym.Value, TypeName(ex));
            return KeyRemovalStatus.Pending;
        }
    }

    private async ValueTask<DateTimeOffset> RecordRelationshipEndAsync(SubjectPseudonym pseudonym, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // An erasure request ends the relationship, unless the application recorded an earlier end.
        var recorded = await _schedule.GetRelationshipEndAsync(pseudonym, cancellationToken).ConfigureAwait(false);
        if (recorded is { } end && end <= now)
        {
            return end;
        }

        await _schedule.SetRelationshipEndAsync(pseudonym, now, cancellationToken).ConfigureAwait(false);
        return now;
    }

    /// <summary>Until when a legal obligation keeps the scope, or <see langword="null"/> when none does (any more).</summary>
    private async ValueTask<DateTimeOffset?> GetRetainedUntilAsync(
        SubjectPseudonym pseudonym, string scope, RetentionPolicy policy, DateTimeOffset relationshipEnd, DateTimeOffset now, CancellationToken cancellationToken)
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
                var entry = await _schedule.GetAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false);
                until = entry?.DestroyAfter ?? policy.GetExpiry(now);
                break;
            default:
                var state = await _keyStore.GetStateAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false);
                until = policy.GetExpiry(state.Key?.CreatedAt ?? now);
                break;
        }

        return until > now ? until : null;
    }

    private async ValueTask<ScopeErasureOutcome?> DestroyAsync(string subjectId, SubjectPseudonym pseudonym, string scope, CancellationToken cancellationToken)
    {
        try
        {
            var tombstone = await _keys.ShredAsync(subjectId, scope, cancellationToken).ConfigureAwait(false);

            // Null: another node or a sweep shredded it meanwhile. Destroyed only if the store shows the tombstone.
            tombstone ??= (await GetLatestTombstonesAsync(pseudonym, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(scope);
            if (tombstone is null)
            {
                return null;
            }

            await _schedule.RemoveAsync([new RetentionScheduleKey(pseudonym, scope)], cancellationToken).ConfigureAwait(false);
            return Destroyed(tombstone);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            var type = TypeName(ex);
            ErasureLog.ErasureScopeFailed(_logger, pseudonym.Value, scope, type);
            return new ScopeErasureOutcome(scope, ScopeErasureStatus.Failed) { FailureType = type };
        }
    }

    private async ValueTask<SourceErasureOutcome> EraseSourceAsync(
        IPersonalDataSource source, string subjectId, SubjectPseudonym pseudonym, DataSourceErasureRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var done = await source.EraseAsync(subjectId, request, cancellationToken).ConfigureAwait(false);
            return new SourceErasureOutcome(source.Name, Succeeded: true)
            {
                RowsFound = done.RowsFound,
                ScopesFound = done.ScopesFound?.ToHashSet(StringComparer.Ordinal) ?? [],
                RowsDeleted = done.RowsDeleted,
                ValuesReplaced = done.ValuesReplaced,
            };
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            // The type only: a message may quote the row (a constraint violation, a driver error) and so personal data.
            var type = TypeName(ex);
            ErasureLog.ErasureSourceFailed(_logger, pseudonym.Value, source.Name, type);
            return new SourceErasureOutcome(source.Name, Succeeded: false) { FailureType = type };
        }
    }

    private async ValueTask<Dictionary<string, KeyTombstone>> GetLatestTombstonesAsync(SubjectPseudonym pseudonym, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, KeyTombstone>(StringComparer.Ordinal);
        await foreach (var tombstone in _keyStore.GetTombstonesAsync(pseudonym, cancellationToken).ConfigureAwait(false))
        {
            if (!latest.TryGetValue(tombstone.Scope, out var known) || tombstone.Version > known.Version)
            {
                latest[tombstone.Scope] = tombstone;
            }
        }

        return latest;
    }

    private static ScopeErasureOutcome Destroyed(KeyTombstone tombstone)
        => new(tombstone.Scope, ScopeErasureStatus.Destroyed) { KeyVersion = tombstone.Version, DestroyedAt = tombstone.ShreddedAt };

    internal static AuditEvent ShreddedEvent(SubjectPseudonym pseudonym, ScopeErasureOutcome outcome, string reason)
        => new(AuditKinds.KeyShredded, pseudonym, new Dictionary<string, string>
        {
            ["scope"] = outcome.Scope,
            ["keyVersion"] = (outcome.KeyVersion ?? 0).ToString(CultureInfo.InvariantCulture),
            ["reason"] = reason,
        });

    private static AuditEvent SummaryEvent(ErasureResult result)
    {
        string Scopes(ScopeErasureStatus status) => string.Join(',', result.Scopes.Where(s => s.Status == status).Select(s => s.Scope));
        var details = new Dictionary<string, string>
        {
            ["destroyed"] = Scopes(ScopeErasureStatus.Destroyed),
            ["retained"] = Scopes(ScopeErasureStatus.Retained),
            ["held"] = Scopes(ScopeErasureStatus.Held),
            ["failedScopes"] = string.Join(',', result.Scopes.Where(s => s.Status == ScopeErasureStatus.Failed).Select(s => $"{s.Scope}:{s.FailureType}")),
            ["sources"] = string.Join(',', result.Sources.Select(s => s.Succeeded ? s.Source + ":ok" : $"{s.Source}:{s.FailureType}")),
            ["holds"] = string.Join(',', result.Holds.Select(h => h.Id)),
            ["keyMissing"] = Scopes(ScopeErasureStatus.KeyMissing),
            ["outcome"] = OutcomeName(result.Outcome),
            ["physicalRemoval"] = RemovalName(result.PhysicalRemoval),
            ["rowsFound"] = string.Join(',', result.Sources.Select(s => s.Source + ":" + s.RowsFound.ToString(CultureInfo.InvariantCulture))),
        };
        return new AuditEvent(result.IsComplete ? AuditKinds.ErasureCompleted : AuditKinds.ErasurePartial, result.Subject, details);
    }

    internal static string OutcomeName(ErasureOutcome outcome) => outcome switch
    {
        ErasureOutcome.Erased => "erased",
        ErasureOutcome.NothingFound => "nothing-found",
        ErasureOutcome.Partial => "partial",
        _ => "inconsistent",
    };

    internal static string RemovalName(KeyRemovalStatus status) => status switch
    {
        KeyRemovalStatus.Removed => "removed",
        KeyRemovalStatus.Pending => "pending",
        _ => "not-applicable",
    };

    private static int Count(List<ScopeErasureOutcome> outcomes, ScopeErasureStatus status) => outcomes.Count(o => o.Status == status);

    internal static bool IsCancellation(Exception ex, CancellationToken cancellationToken)
        => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

    internal static string TypeName(Exception ex) => ex.GetType().FullName ?? ex.GetType().Name;
}
