using System.Globalization;
using Gdpr.Audit;
using Gdpr.Keys;
using Gdpr.Retention;

namespace Gdpr.Erasure;

/// <summary>
/// The one owner of destroying a scope, for erasure and the retention sweeper alike: shred the scope's key, confirm
/// the tombstone, write the <see cref="AuditKinds.KeyShredded"/> event, clear the retention schedule entry — and,
/// once per run, complete the physical removal of the destroyed keys.
/// </summary>
/// <remarks>
/// A run destroys its scopes through one <see cref="Batch"/>: keys first (what matters most, and unreadable data is
/// the safe side of a crash), then one audit append for the batch (with the caller's own events, so they chain in
/// one step), then the schedule entries. Forgetting the entries last means a crash in between re-finds them, and
/// they shred as "already destroyed". Every step is idempotent, so a retry completes what a failure left.
/// </remarks>
internal sealed class ScopeDestroyer
{
    private readonly ISubjectKeyManager _keys;
    private readonly ISubjectKeyStore _keyStore;
    private readonly IRetentionScheduleStore _schedule;
    private readonly IAuditTrail _audit;

    public ScopeDestroyer(ISubjectKeyManager keys, ISubjectKeyStore keyStore, IRetentionScheduleStore schedule, IAuditTrail audit)
    {
        _keys = keys;
        _keyStore = keyStore;
        _schedule = schedule;
        _audit = audit;
    }

    /// <summary>Starts a run whose shred events carry <paramref name="reason"/> (<c>erasure</c>, <c>retention</c>).</summary>
    /// <param name="reason">The audit events' <c>reason</c>.</param>
    /// <param name="confirmWhenAlreadyGone">
    /// Whether a shred that finds no key looks for the scope's tombstone and audits it as destroyed. Erasure destroys
    /// scopes it has just seen live, so a missing key means another node or a sweep raced it, and the tombstone is
    /// the evidence it reports. The sweeper works from schedule entries that may outlive their key (a crash after
    /// the shred, a direct shred): that destruction was audited when it happened.
    /// </param>
    public Batch StartBatch(string reason, bool confirmWhenAlreadyGone) => new(this, reason, confirmWhenAlreadyGone);

    /// <summary>The latest tombstone of each destroyed scope of <paramref name="subject"/>.</summary>
    public async ValueTask<Dictionary<string, KeyTombstone>> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, KeyTombstone>(StringComparer.Ordinal);
        await foreach (var tombstone in _keyStore.GetTombstonesAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            if (!latest.TryGetValue(tombstone.Scope, out var known) || tombstone.Version > known.Version)
            {
                latest[tombstone.Scope] = tombstone;
            }
        }

        return latest;
    }

    /// <summary>
    /// Makes sure the bytes of destroyed keys leave the store's files (a WAL checkpoint, a purge). A failure is
    /// reported as <see cref="KeyRemovalStatus.Pending"/> with the exception's type name: the keys are destroyed
    /// either way, only whether the files still hold their bytes is not known.
    /// </summary>
    public async ValueTask<(KeyRemovalStatus Status, string? FailureType)> CompleteRemovalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _keyStore.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            return (KeyRemovalStatus.Pending, TypeName(ex));
        }
    }

    internal static bool IsCancellation(Exception ex, CancellationToken cancellationToken)
        => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

    /// <summary>The type only: a message may quote a row (a constraint violation, a driver error) and so personal data.</summary>
    internal static string TypeName(Exception ex) => ex.GetType().FullName ?? ex.GetType().Name;

    private static AuditEvent ShreddedEvent(KeyTombstone tombstone, string reason)
        => new(AuditKinds.KeyShredded, tombstone.Subject, new Dictionary<string, string>
        {
            ["scope"] = tombstone.Scope,
            ["keyVersion"] = tombstone.Version.ToString(CultureInfo.InvariantCulture),
            ["reason"] = reason,
        });

    /// <summary>The scopes one run destroys, recorded together by <see cref="CommitAsync"/>.</summary>
    internal sealed class Batch
    {
        private readonly ScopeDestroyer _owner;
        private readonly string _reason;
        private readonly bool _confirmWhenAlreadyGone;
        private readonly List<AuditEvent> _events = [];
        private readonly List<RetentionScheduleKey> _done = [];

        internal Batch(ScopeDestroyer owner, string reason, bool confirmWhenAlreadyGone)
        {
            _owner = owner;
            _reason = reason;
            _confirmWhenAlreadyGone = confirmWhenAlreadyGone;
        }

        /// <summary>
        /// Shreds the scope's key and confirms its tombstone; nothing is written to the audit trail or the schedule
        /// until <see cref="CommitAsync"/>. A failure is returned, never thrown (cancellation aside).
        /// </summary>
        /// <param name="subject">The subject's pseudonym.</param>
        /// <param name="subjectId">The subject id when the caller knows it (the key cache is evicted by it), else <see langword="null"/>.</param>
        /// <param name="scope">The scope.</param>
        /// <param name="cancellationToken">The cancellation token.</param>
        public async ValueTask<ScopeDestruction> DestroyAsync(SubjectPseudonym subject, string? subjectId, string scope, CancellationToken cancellationToken)
        {
            try
            {
                var tombstone = subjectId is null
                    ? await _owner._keys.ShredAsync(subject, scope, cancellationToken).ConfigureAwait(false)
                    : await _owner._keys.ShredAsync(subjectId, scope, cancellationToken).ConfigureAwait(false);
                var status = ScopeDestructionStatus.Destroyed;
                if (tombstone is null)
                {
                    status = ScopeDestructionStatus.AlreadyDestroyed;
                    if (_confirmWhenAlreadyGone)
                    {
                        tombstone = (await _owner.GetTombstonesAsync(subject, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(scope);
                        if (tombstone is null)
                        {
                            // Neither key nor tombstone: nothing to report, and nothing of the schedule is forgotten.
                            return new ScopeDestruction(scope, ScopeDestructionStatus.NotFound, null, null);
                        }
                    }
                }

                if (tombstone is not null && (status == ScopeDestructionStatus.Destroyed || _confirmWhenAlreadyGone))
                {
                    _events.Add(ShreddedEvent(tombstone, _reason));
                }

                _done.Add(new RetentionScheduleKey(subject, scope));
                return new ScopeDestruction(scope, status, tombstone, null);
            }
            catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
            {
                return new ScopeDestruction(scope, ScopeDestructionStatus.Failed, null, TypeName(ex));
            }
        }

        /// <summary>
        /// Appends the batch's shred events followed by <paramref name="trailing"/> in one step, then forgets the
        /// schedule entries of the destroyed scopes. Returns the appended entries.
        /// </summary>
        /// <param name="trailing">The caller's own events (a summary), chained after the shred events.</param>
        /// <param name="cancellationToken">The cancellation token.</param>
        public async ValueTask<IReadOnlyList<AuditEntry>> CommitAsync(IReadOnlyList<AuditEvent> trailing, CancellationToken cancellationToken)
        {
            var appended = await _owner._audit.AppendAsync([.. _events, .. trailing], cancellationToken).ConfigureAwait(false);
            if (_done.Count > 0)
            {
                await _owner._schedule.RemoveAsync(_done, cancellationToken).ConfigureAwait(false);
            }

            _events.Clear();
            _done.Clear();
            return appended;
        }
    }
}
