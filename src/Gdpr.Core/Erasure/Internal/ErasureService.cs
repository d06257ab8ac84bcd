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
/// key store confirms it (a tombstone); every step is idempotent, so a retry completes what a failure left. The
/// destruction itself (shred, tombstone, audit, schedule) is <see cref="ScopeDestroyer"/>'s, shared with the sweeper.
/// </remarks>
internal sealed class ErasureService : IErasureService
{
    private readonly ISubjectKeyManager _keys;
    private readonly IPersonalDataSource[] _sources;
    private readonly ILegalHoldStore _holds;
    private readonly ScopeDestroyer _destroyer;
    private readonly RetentionObligations _retention;
    private readonly RetentionPolicyCatalog _policies;
    private readonly IErasureCertificateIssuer _certificates;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ErasureService(
        ISubjectKeyManager keys,
        IEnumerable<IPersonalDataSource> sources,
        ILegalHoldStore holds,
        ScopeDestroyer destroyer,
        RetentionObligations retention,
        RetentionPolicyCatalog policies,
        IErasureCertificateIssuer certificates,
        TimeProvider time,
        ILogger<ErasureService>? logger = null)
    {
        _keys = keys;
        _sources = [.. sources.OrderBy(s => s.Name, StringComparer.Ordinal)];
        _holds = holds;
        _destroyer = destroyer;
        _retention = retention;
        _policies = policies;
        _certificates = certificates;
        _time = time;
        _logger = logger ?? NullLogger<ErasureService>.Instance;
    }

    public ValueTask<ErasureResult> EraseAsync(string subjectId, CancellationToken cancellationToken = default)
        => EraseAsync(subjectId, onlyScopes: null, cancellationToken);

    /// <summary>
    /// Destroys only <paramref name="scopes"/> of a subject, by the same rules as a full erasure (an obligation or a hold
    /// keeps a scope), for an objection that names them (GDPR Art. 21(3): direct marketing). The relationship does
    /// not end, so nothing is scheduled from its end, and no certificate is issued: a certificate reads as the
    /// subject's erasure. The audit entry (detail <c>onlyScopes</c>) is the evidence.
    /// </summary>
    internal ValueTask<ErasureResult> EraseScopesAsync(string subjectId, IReadOnlySet<string> scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return EraseAsync(subjectId, scopes, cancellationToken);
    }

    private async ValueTask<ErasureResult> EraseAsync(string subjectId, IReadOnlySet<string>? onlyScopes, CancellationToken cancellationToken)
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
        // An erasure of some scopes only (an objection) does not end the relationship.
        var relationshipEnd = live.Count > 0 && onlyScopes is null ? await _retention.RecordRelationshipEndAsync(pseudonym, now, cancellationToken).ConfigureAwait(false) : now;
        var tombstones = await _destroyer.GetTombstonesAsync(pseudonym, cancellationToken).ConfigureAwait(false);
        var known = live.Union(tombstones.Keys).ToHashSet(StringComparer.Ordinal);
        var destruction = _destroyer.StartBatch("erasure", confirmWhenAlreadyGone: true);
        var outcomes = new List<ScopeErasureOutcome>();
        foreach (var scope in known.Where(s => onlyScopes is null || onlyScopes.Contains(s)).Order(StringComparer.Ordinal))
        {
            if (!live.Contains(scope))
            {
                // Destroyed before (an earlier erasure, a sweep): report the evidence the store keeps.
                outcomes.Add(Destroyed(tombstones[scope]));
                continue;
            }

            var policy = _policies.Get(scope);
            if (onlyScopes is not null && policy.IsLegalObligation)
            {
                // Kept by law; its period may count from a relationship end that has not come: nothing is scheduled.
                outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Retained) { LegalBasis = policy.LegalBasis });
                continue;
            }

            var retainedUntil = await _retention.GetRetainedUntilAsync(pseudonym, scope, policy, relationshipEnd, now, cancellationToken).ConfigureAwait(false);
            if (holds.Count > 0)
            {
                // Art. 17(3)(e): nothing goes while a hold is active. Due at once (or when the obligation ends), so the
                // sweeper destroys it after the release even if nobody erases again.
                await _retention.KeepUntilAsync(pseudonym, scope, retainedUntil ?? now, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Held)
                {
                    RetainedUntil = retainedUntil,
                    LegalBasis = retainedUntil is null ? null : policy.LegalBasis,
                });
            }
            else if (retainedUntil is { } until)
            {
                // Art. 17(3)(b): a legal obligation keeps the scope; the sweeper destroys it at the end of the period.
                await _retention.KeepUntilAsync(pseudonym, scope, until, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Retained) { RetainedUntil = until, LegalBasis = policy.LegalBasis });
            }
            else
            {
                var done = await destruction.DestroyAsync(pseudonym, subjectId, scope, cancellationToken).ConfigureAwait(false);
                switch (done.Status)
                {
                    case ScopeDestructionStatus.Failed:
                        ErasureLog.ErasureScopeFailed(_logger, pseudonym.Value, scope, done.FailureType!);
                        outcomes.Add(new ScopeErasureOutcome(scope, ScopeErasureStatus.Failed) { FailureType = done.FailureType });
                        break;
                    case ScopeDestructionStatus.NotFound:
                        // Neither key nor tombstone any more: nothing the store can certify.
                        break;
                    default:
                        outcomes.Add(Destroyed(done.Tombstone!));
                        break;
                }
            }
        }

        // Every destroyed scope, now or before: a retry finishes a removal an earlier attempt (or a crash) left pending.
        var removal = outcomes.Any(o => o.Status == ScopeErasureStatus.Destroyed)
            ? await CompleteRemovalAsync(pseudonym, cancellationToken).ConfigureAwait(false)
            : KeyRemovalStatus.NotApplicable;

        var destroyed = outcomes.Where(o => o.Status == ScopeErasureStatus.Destroyed).Select(o => o.Scope).ToHashSet(StringComparer.Ordinal);

        // The scopes an erasure of some scopes leaves alone are kept, as a retained scope is: no source deletes their rows.
        var request = new DataSourceErasureRequest(
            destroyed,
            outcomes.Where(o => o.Status is ScopeErasureStatus.Retained or ScopeErasureStatus.Held or ScopeErasureStatus.Failed)
                .Select(o => o.Scope)
                .Concat(onlyScopes is null ? [] : known.Where(s => !onlyScopes.Contains(s)))
                .ToHashSet(StringComparer.Ordinal))
        {
            RowDeletingScopes = _policies.RowDeletingScopes(destroyed),
        };
        var sources = new List<SourceErasureOutcome>(_sources.Length);
        foreach (var source in _sources)
        {
            sources.Add(await EraseSourceAsync(source, subjectId, pseudonym, request, cancellationToken).ConfigureAwait(false));
        }

        // Values of a scope the key store knows nothing of under this pseudonym: written under another pseudonym key,
        // or their keys were lost. Not destroyed, perhaps readable again with the right key: never certified.
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

        var appended = await destruction.CommitAsync([SummaryEvent(result, onlyScopes)], cancellationToken).ConfigureAwait(false);
        result = result with { AuditSequence = appended[^1].Sequence, AuditHash = appended[^1].Hash };
        if (onlyScopes is null && result.Outcome is ErasureOutcome.Erased or ErasureOutcome.NothingFound)
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
        var (status, failureType) = await _destroyer.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false);
        if (failureType is not null)
        {
            ErasureLog.ErasureRemovalFailed(_logger, pseudonym.Value, failureType);
        }

        return status;
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
        catch (Exception ex) when (!ScopeDestroyer.IsCancellation(ex, cancellationToken))
        {
            // The type only: a message may quote the row (a constraint violation, a driver error) and so personal data.
            var type = ScopeDestroyer.TypeName(ex);
            ErasureLog.ErasureSourceFailed(_logger, pseudonym.Value, source.Name, type);
            return new SourceErasureOutcome(source.Name, Succeeded: false) { FailureType = type };
        }
    }

    private static ScopeErasureOutcome Destroyed(KeyTombstone tombstone)
        => new(tombstone.Scope, ScopeErasureStatus.Destroyed) { KeyVersion = tombstone.Version, DestroyedAt = tombstone.ShreddedAt };

    private static AuditEvent SummaryEvent(ErasureResult result, IReadOnlySet<string>? onlyScopes)
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
            ["outcome"] = ErasureWireNames.Outcome(result.Outcome),
            ["physicalRemoval"] = ErasureWireNames.Removal(result.PhysicalRemoval),
            ["rowsFound"] = string.Join(',', result.Sources.Select(s => s.Source + ":" + s.RowsFound.ToString(CultureInfo.InvariantCulture))),
        };
        if (onlyScopes is not null)
        {
            details["onlyScopes"] = string.Join(',', onlyScopes.Order(StringComparer.Ordinal));
        }

        return new AuditEvent(result.IsComplete ? AuditKinds.ErasureCompleted : AuditKinds.ErasurePartial, result.Subject, details);
    }

    private static int Count(List<ScopeErasureOutcome> outcomes, ScopeErasureStatus status) => outcomes.Count(o => o.Status == status);
}
