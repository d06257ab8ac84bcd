using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <inheritdoc cref="IRetentionSweeper"/>
/// <remarks>
/// Two sources of due scopes: the retention schedule (relationship ends, application dates, erasures waiting for
/// an obligation or a hold), read page by page; and, for policies counting from collection, the key store's own
/// creation times. Holds are checked per batch just before its keys are destroyed.
/// </remarks>
internal sealed class RetentionSweeper : IRetentionSweeper
{
    private const int MaxFailureTypes = 100;

    private readonly ScopeDestroyer _destroyer;
    private readonly ISubjectKeyStore _keyStore;
    private readonly IKeyEncryptionKeyProvider _keyEncryptionKeys;
    private readonly IRetentionScheduleStore _schedule;
    private readonly ILegalHoldStore _holds;
    private readonly IAuditTrail _audit;
    private readonly RetentionPolicyCatalog _policies;
    private readonly TimeProvider _time;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private volatile bool _removalPending;

    public RetentionSweeper(
        ScopeDestroyer destroyer,
        ISubjectKeyStore keyStore,
        IKeyEncryptionKeyProvider keyEncryptionKeys,
        IRetentionScheduleStore schedule,
        ILegalHoldStore holds,
        IAuditTrail audit,
        RetentionPolicyCatalog policies,
        TimeProvider time,
        IOptions<RetentionSweeperOptions> options,
        ILogger<RetentionSweeper>? logger = null)
    {
        _destroyer = destroyer;
        _keyStore = keyStore;
        _keyEncryptionKeys = keyEncryptionKeys;
        _schedule = schedule;
        _holds = holds;
        _audit = audit;
        _policies = policies;
        _time = time;
        _batchSize = options.Value.BatchSize;
        _logger = logger ?? NullLogger<RetentionSweeper>.Instance;
    }

    public async ValueTask<RetentionSweepReport> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var tally = new Tally();

        RetentionScheduleKey? cursor = null;
        while (true)
        {
            var page = await _schedule.GetDueAsync(now, cursor, _batchSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            cursor = page[^1].Key;
            await ProcessBatchAsync([.. page.Select(e => e.Key)], tally, cancellationToken).ConfigureAwait(false);
            if (page.Count < _batchSize)
            {
                break;
            }
        }

        var fromCollection = await FindExpiredSinceCollectionAsync(now, cancellationToken).ConfigureAwait(false);
        foreach (var batch in fromCollection.Chunk(_batchSize))
        {
            await ProcessBatchAsync(batch, tally, cancellationToken).ConfigureAwait(false);
        }

        // Like an erasure, a sweep that destroyed keys makes sure their bytes leave the store's files (a WAL checkpoint, a
        // purge). A removal left pending is retried by this sweeper's next run and, after a restart, by the next erasure
        // of any subject with a destroyed scope.
        var removal = tally.Destroyed + tally.AlreadyDestroyed > 0 || _removalPending
            ? await CompleteRemovalAsync(cancellationToken).ConfigureAwait(false)
            : KeyRemovalStatus.NotApplicable;
        _removalPending = removal == KeyRemovalStatus.Pending;
        var report = new RetentionSweepReport(now, tally.Destroyed, tally.AlreadyDestroyed, tally.SkippedForHolds, tally.Failed, tally.Batches)
        {
            FailureTypes = tally.FailureTypes,
            PhysicalRemoval = removal,
        };
        await _audit.AppendAsync(
            [new AuditEvent(AuditKinds.SweepCompleted, Subject: null, new Dictionary<string, string>
            {
                ["destroyed"] = Text(report.Destroyed),
                ["alreadyDestroyed"] = Text(report.AlreadyDestroyed),
                ["skippedForHolds"] = Text(report.SkippedForHolds),
                ["failed"] = Text(report.Failed),
                ["batches"] = Text(report.Batches),
                ["physicalRemoval"] = report.PhysicalRemoval.ToString(),
            })],
            cancellationToken).ConfigureAwait(false);
        ErasureLog.SweepFinished(_logger, report.Destroyed, report.AlreadyDestroyed, report.SkippedForHolds, report.Failed, report.Batches);
        return report;
    }

    private async ValueTask ProcessBatchAsync(RetentionScheduleKey[] batch, Tally tally, CancellationToken cancellationToken)
    {
        tally.Batches++;
        var held = await _holds.GetHeldAsync([.. batch.Select(k => k.Subject).Distinct()], cancellationToken).ConfigureAwait(false);
        var destruction = _destroyer.StartBatch("retention", confirmWhenAlreadyGone: false);
        foreach (var key in batch)
        {
            if (held.Contains(key.Subject))
            {
                tally.SkippedForHolds++;
                continue;
            }

            var done = await destruction.DestroyAsync(key.Subject, subjectId: null, key.Scope, cancellationToken).ConfigureAwait(false);
            switch (done.Status)
            {
                case ScopeDestructionStatus.Destroyed:
                    tally.Destroyed++;
                    break;
                case ScopeDestructionStatus.Failed:
                    tally.Failed++;
                    if (tally.FailureTypes.Count < MaxFailureTypes)
                    {
                        tally.FailureTypes.Add(done.FailureType!);
                    }

                    ErasureLog.SweepScopeFailed(_logger, key.Subject.Value, key.Scope, done.FailureType!);
                    break;
                default:
                    tally.AlreadyDestroyed++;
                    break;
            }
        }

        // Audit first, then forget the schedule entries: a crash in between re-finds them, and they shred as "already gone".
        await destruction.CommitAsync([], cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<List<RetentionScheduleKey>> FindExpiredSinceCollectionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = new List<RetentionScheduleKey>();
        if (!_policies.All.Any(IsCollectionPolicy))
        {
            return expired;
        }

        // The key store has no index by creation time in its contract: every live key is visited once, by KEK.
        foreach (var keyEncryptionKeyId in await _keyEncryptionKeys.GetKeyIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var key in _keyStore.GetKeysWrappedWithAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false))
            {
                if (_policies.TryGetConfigured(key.Scope, out var policy) && IsCollectionPolicy(policy) && policy.GetExpiry(key.CreatedAt) <= now)
                {
                    expired.Add(new RetentionScheduleKey(key.Subject, key.Scope));
                }
            }
        }

        return expired;
    }

    private static bool IsCollectionPolicy(RetentionPolicy policy) => policy.Clock == RetentionClock.Collection && policy.HasPeriod;

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken)
    {
        var (status, failureType) = await _destroyer.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false);
        if (failureType is not null)
        {
            ErasureLog.SweepRemovalFailed(_logger, failureType);
        }

        return status;
    }

    private sealed class Tally
    {
        public int Destroyed;
        public int AlreadyDestroyed;
        public int SkippedForHolds;
        public int Failed;
        public int Batches;
        public List<string> FailureTypes { get; } = [];
    }
}
