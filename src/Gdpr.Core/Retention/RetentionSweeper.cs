using System.Text;
using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Internal;
using Gdpr.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>Destroys every scope whose retention has ended (GDPR Art. 5(1)(e)).</summary>
public interface IRetentionSweeper
{
    /// <summary>
    /// Destroys, in batches, every (subject, scope) whose retention ended by now, except those of subjects under a
    /// legal hold. Idempotent: a second sweep finds nothing left to do; a sweep cut short is completed by the next.
    /// </summary>
    /// <param name="cancellationToken">Cancels the sweep between batches' scopes; what was destroyed stays destroyed.</param>
    /// <returns>What the sweep did.</returns>
    ValueTask<RetentionSweepReport> SweepAsync(CancellationToken cancellationToken = default);
}

/// <summary>What one retention sweep did.</summary>
/// <param name="SweptAt">The moment retention was judged against.</param>
/// <param name="Destroyed">Scopes whose key this sweep destroyed.</param>
/// <param name="AlreadyDestroyed">Due scopes whose key was already gone (destroyed by an erasure, another node or an earlier sweep).</param>
/// <param name="SkippedForHolds">Due scopes kept because their subject is under a legal hold (GDPR Art. 17(3)(e)).</param>
/// <param name="Failed">Due scopes whose destruction failed; the next sweep retries them.</param>
/// <param name="Batches">Batches processed.</param>
public sealed record RetentionSweepReport(DateTimeOffset SweptAt, int Destroyed, int AlreadyDestroyed, int SkippedForHolds, int Failed, int Batches)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>Gets the exception type names of the failures (at most 100), never their messages.</summary>
    public IReadOnlyList<string> FailureTypes { get; init; } = [];

    /// <summary>
    /// Gets whether the bytes of the keys this sweep destroyed are known to be gone from the key store's files
    /// (<see cref="ISubjectKeyStore.CompleteRemovalAsync"/>); <see cref="KeyRemovalStatus.NotApplicable"/> when the
    /// sweep destroyed nothing.
    /// </summary>
    public KeyRemovalStatus PhysicalRemoval { get; init; }
}

/// <summary>Options of the retention sweeper.</summary>
public sealed class RetentionSweeperOptions
{
    /// <summary>Gets or sets how long the hosted sweeper waits between sweeps. Default one hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many scopes one batch reads, checks for holds and destroys. Between 1 and 100,000; default 1,000.</summary>
    public int BatchSize { get; set; } = 1_000;
}

/// <inheritdoc cref="IRetentionSweeper"/>
/// <remarks>
/// Two sources of due scopes: the retention schedule (relationship ends, application dates, erasures waiting for
/// an obligation or a hold), read page by page; and, for policies counting from collection, the key store's own
/// creation times. Holds are checked per batch just before its keys are destroyed.
/// </remarks>
internal sealed class RetentionSweeper : IRetentionSweeper
{
    private const int MaxFailureTypes = 100;

    private readonly ISubjectKeyManager _keys;
    private readonly ISubjectKeyStore _keyStore;
    private readonly IKeyEncryptionKeyProvider _keyEncryptionKeys;
    private readonly IRetentionScheduleStore _schedule;
    private readonly ILegalHoldStore _holds;
    private readonly IAuditTrail _audit;
    private readonly RetentionPolicyRegistry _policies;
    private readonly TimeProvider _time;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private volatile bool _removalPending;

    public RetentionSweeper(
        ISubjectKeyManager keys,
        ISubjectKeyStore keyStore,
        IKeyEncryptionKeyProvider keyEncryptionKeys,
        IRetentionScheduleStore schedule,
        ILegalHoldStore holds,
        IAuditTrail audit,
        RetentionPolicyRegistry policies,
        TimeProvider time,
        IOptions<RetentionSweeperOptions> options,
        ILogger<RetentionSweeper>? logger = null)
    {
        _keys = keys;
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
        Log.SweepFinished(_logger, report.Destroyed, report.AlreadyDestroyed, report.SkippedForHolds, report.Failed, report.Batches);
        return report;
    }

    private async ValueTask ProcessBatchAsync(RetentionScheduleKey[] batch, Tally tally, CancellationToken cancellationToken)
    {
        tally.Batches++;
        var held = await _holds.GetHeldAsync([.. batch.Select(k => k.Subject).Distinct()], cancellationToken).ConfigureAwait(false);
        var done = new List<RetentionScheduleKey>(batch.Length);
        var events = new List<AuditEvent>(batch.Length);
        foreach (var key in batch)
        {
            if (held.Contains(key.Subject))
            {
                tally.SkippedForHolds++;
                continue;
            }

            try
            {
                var tombstone = await _keys.ShredAsync(key.Subject, key.Scope, cancellationToken).ConfigureAwait(false);
                if (tombstone is null)
                {
                    tally.AlreadyDestroyed++;
                }
                else
                {
                    tally.Destroyed++;
                    events.Add(ErasureService.ShreddedEvent(
                        key.Subject,
                        new ScopeErasureOutcome(key.Scope, ScopeErasureStatus.Destroyed) { KeyVersion = tombstone.Version },
                        "retention"));
                }

                done.Add(key);
            }
            catch (Exception ex) when (!ErasureService.IsCancellation(ex, cancellationToken))
            {
                tally.Failed++;
                var type = ErasureService.TypeName(ex);
                if (tally.FailureTypes.Count < MaxFailureTypes)
                {
                    tally.FailureTypes.Add(type);
                }

                Log.SweepScopeFailed(_logger, key.Subject.Value, key.Scope, type);
            }
        }

        // Audit first, then forget the schedule entries: a crash in between re-finds them, and they shred as "already gone".
        await _audit.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        await _schedule.RemoveAsync(done, cancellationToken).ConfigureAwait(false);
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
        try
        {
            return await _keyStore.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ErasureService.IsCancellation(ex, cancellationToken))
        {
            Log.SweepRemovalFailed(_logger, ErasureService.TypeName(ex));
            return KeyRemovalStatus.Pending;
        }
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

/// <summary>Runs the retention sweeper periodically in a host, with delays from <see cref="TimeProvider"/>.</summary>
internal sealed class RetentionSweeperService(
    IRetentionSweeper sweeper,
    IOptions<RetentionSweeperOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeperService>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<RetentionSweeperService>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Do not hold up the host's start with the first sweep.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A failed sweep (a store outage) must not stop the host or later sweeps.
                Log.SweepRunFailed(_logger, ErasureService.TypeName(ex));
            }

            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
