using Gdpr.Storage.EfCore.Model;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// A key store in a relational database through EF Core: in the application's own DbContext
/// (<see cref="GdprKeyStoreModelBuilderExtensions.AddGdprKeyStore"/>) or in <see cref="GdprKeyStoreDbContext"/>.
/// Tested on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// <para>Every operation runs in a short-lived context of its own, with its own connection: the store is called
/// from the application's EF interceptors while the application's context is busy, so it never touches that
/// context instance.</para>
/// <para>Destroying a key deletes its row for real: on SQLite with <c>secure_delete</c> on and the WAL
/// checkpointed, so the wrapped key is gone from the database files when <see cref="ShredAsync"/> returns; on
/// PostgreSQL (with <c>UseEfCorePostgreSql()</c> from Gdpr.Storage.EfCore.PostgreSql) the delete notifies every
/// other node (<c>NOTIFY gdpr_key_shred</c>) in the same transaction, and <see cref="PurgeDeletedKeysAsync"/> vacuums
/// the dead row versions. What differs per engine is in its dialect; see docs/key-store.md.</para>
/// </remarks>
internal sealed partial class EfCoreSubjectKeyStore : ISubjectKeyStore
{
    private const int MaxAddAttempts = 3;

    private readonly KeyStoreContextSource _contexts;
    private readonly KeyEncryptionKeyLedgerStore _keyEncryptionKeys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public EfCoreSubjectKeyStore(KeyStoreContextSource contexts, KeyEncryptionKeyLedgerStore keyEncryptionKeys, TimeProvider time, ILogger<EfCoreSubjectKeyStore>? logger)
    {
        _contexts = contexts;
        _keyEncryptionKeys = keyEncryptionKeys;
        _time = time;
        _logger = logger ?? NullLogger<EfCoreSubjectKeyStore>.Instance;
    }

    /// <summary>Gets or sets how many keys <see cref="GetKeysWrappedWithAsync"/> reads per query (tests lower it).</summary>
    internal int PageSize { get; set; } = 500;

    /// <summary>Gets or sets how many pseudonyms one query of a batch read names at most.</summary>
    // Small enough that a query's list of pseudonyms (a JSON text on SQLite) stays off the large-object heap, whose
    // allocations trigger full collections.
    internal int BatchReadSize { get; set; } = 500;

    /// <inheritdoc/>
    public async ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, scope);
        using var db = _contexts.Create();
        await BeforeReadAsync(db, cancellationToken).ConfigureAwait(false);
        return await ReadStateAsync(db, subject, scope, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>One context and one query per <see cref="BatchReadSize"/> pseudonyms, not one per pair.</remarks>
    public async ValueTask<IReadOnlyList<SubjectKeyState>> GetStatesAsync(IReadOnlyList<(SubjectPseudonym Subject, string Scope)> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var (subject, scope) in keys)
        {
            ValidateSubject(subject, scope);
        }

        if (keys.Count == 0)
        {
            return [];
        }

        using var db = _contexts.Create();
        await BeforeReadAsync(db, cancellationToken).ConfigureAwait(false);
        var pairs = keys.Select(k => (k.Subject.Value, k.Scope)).ToList();
        var states = await ReadStatesAsync(db, pairs, cancellationToken).ConfigureAwait(false);
        return [.. pairs.Select(p => states.TryGetValue(p, out var state) ? state : new SubjectKeyState(null, 0))];
    }

    /// <inheritdoc/>
    public async ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateNewKey(key, nameof(key));
        await _keyEncryptionKeys.RecordCreatedAsync(key.KeyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await TryAddAsync([key], cancellationToken).ConfigureAwait(false))[0];
            }
            catch (DbUpdateException) when (attempt < MaxAddAttempts)
            {
                // The UNIQUE (pseudonym, scope) constraint refused our row: another writer (thread, process or node)
                // stored the first key meanwhile. Try again: the next attempt reads and adopts the winner, or fails if
                // our version is now a shredded one.
                KeyStoreLog.AddRaceLost(_logger, key.Subject.Value, key.Scope);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One transaction for the whole batch (on PostgreSQL, one per <see cref="KeyStoreDialect.MaxPairsPerTransaction"/>
    /// pairs, because every pair holds an advisory lock until the commit): the live keys and last shredded versions
    /// are read in a few queries, and the missing keys inserted in one save.
    /// </remarks>
    public async ValueTask<IReadOnlyList<WrappedSubjectKey>> AddKeysAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var seen = new HashSet<(string, string)>();
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            ValidateNewKey(key, nameof(keys));
            if (!seen.Add((key.Subject.Value, key.Scope)))
            {
                throw new ArgumentException($"The batch holds two keys for subject {key.Subject.Value}, scope '{key.Scope}'; a batch has at most one key per (subject, scope).", nameof(keys));
            }
        }

        if (keys.Count == 0)
        {
            return [];
        }

        foreach (var keyEncryptionKeyId in keys.Select(k => k.KeyEncryptionKeyId).Distinct(StringComparer.Ordinal))
        {
            await _keyEncryptionKeys.RecordCreatedAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        }

        var maxPairs = _contexts.Dialect.MaxPairsPerTransaction;
        var kept = new List<WrappedSubjectKey>(keys.Count);
        for (var start = 0; start < keys.Count; start += maxPairs)
        {
            var chunk = keys.Count <= maxPairs ? keys : [.. keys.Skip(start).Take(maxPairs)];
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    kept.AddRange(await TryAddAsync(chunk, cancellationToken).ConfigureAwait(false));
                    break;
                }
                catch (DbUpdateException) when (attempt < MaxAddAttempts)
                {
                    // A writer outside the dialect's locks (none on an engine without them) stored one of the keys
                    // first: the next attempt reads and adopts it.
                    KeyStoreLog.BatchAddRaceLost(_logger, chunk.Count);
                }
            }
        }

        return kept;
    }

    /// <inheritdoc/>
    public async ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, scope);
        using var db = _contexts.Create();
        var dialect = _contexts.GetDialect(db);
        var strategy = db.Database.CreateExecutionStrategy();
        var tombstone = await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                using var transaction = await dialect.BeginWriteAsync(db, [(subject.Value, scope)], ct).ConfigureAwait(false);
                var version = await db.Set<SubjectKeyRow>().AsNoTracking()
                    .Where(k => k.Pseudonym == subject.Value && k.Scope == scope)
                    .Select(k => (int?)k.Version)
                    .SingleOrDefaultAsync(ct).ConfigureAwait(false);
                if (version is null)
                {
                    return null;
                }

                // A DELETE, not an UPDATE that blanks the bytes: with secure_delete on, SQLite zeroes the freed cell.
                var deleted = await db.Set<SubjectKeyRow>()
                    .Where(k => k.Pseudonym == subject.Value && k.Scope == scope && k.Version == version.Value)
                    .ExecuteDeleteAsync(ct).ConfigureAwait(false);
                if (deleted == 0)
                {
                    return null;
                }

                var record = new KeyTombstoneRow { Pseudonym = subject.Value, Scope = scope, Version = version.Value, ShreddedAtUtcTicks = shreddedAt.UtcTicks };
                db.Add(record);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await dialect.OnShreddingAsync(db, subject, scope, ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return new KeyTombstone(subject, scope, record.Version, GdprTableConventions.FromUtcTicks(record.ShreddedAtUtcTicks));
            },
            cancellationToken).ConfigureAwait(false);

        if (tombstone is not null && !await dialect.AfterShredAsync(db, cancellationToken).ConfigureAwait(false))
        {
            KeyStoreLog.CheckpointIncomplete(_logger, scope);
        }

        return tombstone;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject.Value, nameof(subject));
        List<string> scopes;
        using (var db = _contexts.Create())
        {
            scopes = await db.Set<SubjectKeyRow>().AsNoTracking()
                .Where(k => k.Pseudonym == subject.Value)
                .OrderBy(k => k.Scope)
                .Select(k => k.Scope)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var scope in scopes)
        {
            yield return scope;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject.Value, nameof(subject));
        List<KeyTombstoneRow> records;
        using (var db = _contexts.Create())
        {
            records = await db.Set<KeyTombstoneRow>().AsNoTracking()
                .Where(t => t.Pseudonym == subject.Value)
                .OrderBy(t => t.Scope).ThenBy(t => t.Version)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var record in records)
        {
            yield return new KeyTombstone(subject, record.Scope, record.Version, GdprTableConventions.FromUtcTicks(record.ShreddedAtUtcTicks));
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidateKeyEncryptionKeyId(keyEncryptionKeyId);

        // Pages by (pseudonym, scope), each read through its own short-lived context: no connection or cursor is
        // held while the caller rewraps, and rows rewrapped meanwhile simply drop out of later pages.
        string? lastPseudonym = null;
        var lastScope = string.Empty;
        while (true)
        {
            List<SubjectKeyRow> page;
            using (var db = _contexts.Create())
            {
                var query = db.Set<SubjectKeyRow>().AsNoTracking().Where(k => k.KeyEncryptionKeyId == keyEncryptionKeyId);
                if (lastPseudonym is not null)
                {
                    var p = lastPseudonym;
                    var s = lastScope;
                    query = query.Where(k => string.Compare(k.Pseudonym, p) > 0 || (k.Pseudonym == p && string.Compare(k.Scope, s) > 0));
                }

                page = await query.OrderBy(k => k.Pseudonym).ThenBy(k => k.Scope).Take(PageSize)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var record in page)
            {
                yield return ToKey(record);
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            lastPseudonym = page[^1].Pseudonym;
            lastScope = page[^1].Scope;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(rewrapped);
        ValidateSubject(current.Subject, current.Scope);
        ValidateKeyEncryptionKeyId(rewrapped.KeyEncryptionKeyId);
        if (rewrapped.Subject != current.Subject || rewrapped.Scope != current.Scope || rewrapped.Version != current.Version)
        {
            throw new ArgumentException("The rewrapped key must have the subject, scope and version of the current one.", nameof(rewrapped));
        }

        if (rewrapped.WrappedKey.IsEmpty)
        {
            throw new ArgumentException("The wrapped key is empty.", nameof(rewrapped));
        }

        await _keyEncryptionKeys.RecordCreatedAsync(rewrapped.KeyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        using var db = _contexts.Create();

        // The old wrapping's cell is freed by the update: zero it too where the engine can.
        await _contexts.GetDialect(db).BeforeRewrapAsync(db, cancellationToken).ConfigureAwait(false);

        var newKeyId = rewrapped.KeyEncryptionKeyId;
        var newBytes = rewrapped.WrappedKey.ToArray();

        // One conditional UPDATE: the compare-and-swap is atomic in the database, across processes.
        var updated = await db.Set<SubjectKeyRow>()
            .Where(k => k.Pseudonym == current.Subject.Value && k.Scope == current.Scope
                && k.Version == current.Version && k.KeyEncryptionKeyId == current.KeyEncryptionKeyId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.KeyEncryptionKeyId, newKeyId).SetProperty(k => k.WrappedKey, newBytes), cancellationToken)
            .ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>
    /// Removes what deleted key rows may leave behind in the database's own files. On PostgreSQL, waits until no
    /// transaction that may still see a row deleted before this call is running (at most
    /// <see cref="EfCoreKeyStoreOptions.PurgeWaitLimit"/>), then runs <c>VACUUM</c> (or <c>VACUUM FULL</c>) on the key
    /// table, so the dead row versions of destroyed keys are removed; on SQLite, checkpoints and truncates the WAL
    /// (and with <paramref name="full"/>, rebuilds the file with <c>VACUUM</c>). WAL archives and backups are not
    /// touched: retiring the key-encryption key covers those.
    /// </summary>
    /// <param name="full">
    /// PostgreSQL: <c>VACUUM FULL</c>, which rewrites the table into new files (and locks it meanwhile) instead of
    /// marking the space reusable. SQLite: also <c>VACUUM</c> the whole database file.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see langword="true"/> when nothing held the purge back: on PostgreSQL, every transaction that could still see
    /// a key row deleted before the call had ended when the vacuum ran; on SQLite, the checkpoint completed.
    /// <see langword="false"/> when something did (the purge still ran, a warning names what held it back, and a later
    /// call finishes the job), and on other databases, where there is nothing provider-neutral to run.
    /// </returns>
    public async Task<bool> PurgeDeletedKeysAsync(bool full = false, CancellationToken cancellationToken = default)
    {
        using var db = _contexts.Create();
        var dialect = _contexts.GetDialect(db);
        var complete = await dialect.PurgeAsync(db, full, cancellationToken).ConfigureAwait(false);
        KeyStoreLog.Purged(_logger, dialect.DisplayName, full, complete);
        return complete;
    }

    /// <summary>
    /// Makes sure the bytes of every key destroyed and every wrapping replaced so far are gone from the database's
    /// files, and says whether they are known to be. SQLite: a <c>wal_checkpoint(TRUNCATE)</c> every time (the
    /// deletes already zeroed the freed cells with <c>secure_delete</c>; the checkpoint moves the zeroed pages into
    /// the file and empties the WAL), so a retry finishes what a crash between a shred's commit and its checkpoint,
    /// or a reader holding an older snapshot, left behind: <see cref="KeyRemovalStatus.Removed"/> when it completed,
    /// <see cref="KeyRemovalStatus.Pending"/> when readers kept it from completing (warning 2113). PostgreSQL: with
    /// <see cref="EfCoreKeyStoreOptions.PurgeOnErasure"/>, <see cref="PurgeDeletedKeysAsync"/> with <c>full: true</c>
    /// (removed when complete); without it, pending (dead row versions stay until a purge). Other databases: not
    /// applicable.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the bytes are known to be gone.</returns>
    public async ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken = default)
    {
        using var db = _contexts.Create();
        return await _contexts.GetDialect(db).CompleteRemovalAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the keys that have no live key yet, in one transaction that excludes every concurrent add or shred of
    /// the same pairs (the dialect's write lock), and returns what the store keeps for each, in input order.
    /// </summary>
    private async Task<IReadOnlyList<WrappedSubjectKey>> TryAddAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken)
    {
        using var db = _contexts.Create();
        var dialect = _contexts.GetDialect(db);
        await dialect.BeforeReadAsync(cancellationToken).ConfigureAwait(false);
        var pairs = keys.Select(k => (k.Subject.Value, k.Scope)).ToList();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                using var transaction = await dialect.BeginWriteAsync(db, pairs, ct).ConfigureAwait(false);
                var states = await ReadStatesAsync(db, pairs, ct).ConfigureAwait(false);
                var kept = new WrappedSubjectKey[keys.Count];
                var added = new List<SubjectKeyRow>();
                for (var i = 0; i < keys.Count; i++)
                {
                    var key = keys[i];
                    var state = states.TryGetValue(pairs[i], out var found) ? found : new SubjectKeyState(null, 0);
                    if (state.Key is { } live)
                    {
                        kept[i] = live;
                        continue;
                    }

                    if (key.Version <= state.LastShreddedVersion)
                    {
                        throw new InvalidOperationException(
                            $"Key version {key.Version} of subject {key.Subject.Value}, scope '{key.Scope}' was already shredded; a new key needs a higher version.");
                    }

                    var record = new SubjectKeyRow
                    {
                        Pseudonym = key.Subject.Value,
                        Scope = key.Scope,
                        Version = key.Version,
                        KeyEncryptionKeyId = key.KeyEncryptionKeyId,
                        WrappedKey = key.WrappedKey.ToArray(),
                        CreatedAtUtcTicks = key.CreatedAt.UtcTicks,
                    };
                    added.Add(record);
                    kept[i] = ToKey(record);
                }

                await dialect.InsertKeyRowsAsync(db, added, ct).ConfigureAwait(false);

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return kept;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the live key and last shredded version of every pair: two queries per <see cref="BatchReadSize"/>
    /// pseudonyms. Pairs with neither are absent from the result.
    /// </summary>
    private async Task<Dictionary<(string Pseudonym, string Scope), SubjectKeyState>> ReadStatesAsync(DbContext db, IReadOnlyList<(string Pseudonym, string Scope)> pairs, CancellationToken cancellationToken)
    {
        var wanted = pairs.ToHashSet();
        var live = new Dictionary<(string, string), SubjectKeyRow>();
        var shredded = new Dictionary<(string, string), int>();
        foreach (var chunk in pairs.Select(p => p.Pseudonym).Distinct(StringComparer.Ordinal).Chunk(BatchReadSize))
        {
            foreach (var record in await db.Set<SubjectKeyRow>().AsNoTracking()
                .Where(k => EF.Parameter(chunk).Contains(k.Pseudonym))
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                if (wanted.Contains((record.Pseudonym, record.Scope)))
                {
                    live[(record.Pseudonym, record.Scope)] = record;
                }
            }

            foreach (var last in await db.Set<KeyTombstoneRow>().AsNoTracking()
                .Where(t => EF.Parameter(chunk).Contains(t.Pseudonym))
                .GroupBy(t => new { t.Pseudonym, t.Scope })
                .Select(g => new { g.Key.Pseudonym, g.Key.Scope, Version = g.Max(t => t.Version) })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                if (wanted.Contains((last.Pseudonym, last.Scope)))
                {
                    shredded[(last.Pseudonym, last.Scope)] = last.Version;
                }
            }
        }

        var states = new Dictionary<(string, string), SubjectKeyState>(live.Count + shredded.Count);
        foreach (var pair in live.Keys.Concat(shredded.Keys))
        {
            states[pair] = new SubjectKeyState(
                live.TryGetValue(pair, out var record) ? ToKey(record) : null,
                shredded.TryGetValue(pair, out var version) ? version : 0);
        }

        return states;
    }

    private static async Task<SubjectKeyState> ReadStateAsync(DbContext db, SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        // One round trip in the usual case (a live key exists): the key with its scope's last shredded version.
        var pseudonym = subject.Value;
        var live = await db.Set<SubjectKeyRow>().AsNoTracking()
            .Where(k => k.Pseudonym == pseudonym && k.Scope == scope)
            .Select(k => new
            {
                Key = k,
                LastShredded = db.Set<KeyTombstoneRow>().Where(t => t.Pseudonym == pseudonym && t.Scope == scope).Max(t => (int?)t.Version),
            })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (live is not null)
        {
            return new SubjectKeyState(ToKey(live.Key), live.LastShredded ?? 0);
        }

        var lastShredded = await db.Set<KeyTombstoneRow>().AsNoTracking()
            .Where(t => t.Pseudonym == pseudonym && t.Scope == scope)
            .MaxAsync(t => (int?)t.Version, cancellationToken).ConfigureAwait(false);
        return new SubjectKeyState(null, lastShredded ?? 0);
    }

    /// <summary>A key must not be cached before this node can hear about other nodes' shreds of it.</summary>
    private ValueTask BeforeReadAsync(DbContext db, CancellationToken cancellationToken)
        => _contexts.GetDialect(db).BeforeReadAsync(cancellationToken);

    private static void ValidateNewKey(WrappedSubjectKey key, string parameterName)
    {
        ValidateSubject(key.Subject, key.Scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Version, 1, parameterName);
        ValidateKeyEncryptionKeyId(key.KeyEncryptionKeyId);
        if (key.WrappedKey.IsEmpty)
        {
            throw new ArgumentException("The wrapped key is empty.", parameterName);
        }
    }

    private static WrappedSubjectKey ToKey(SubjectKeyRow record)
        => new(new SubjectPseudonym(record.Pseudonym), record.Scope, record.Version, record.KeyEncryptionKeyId, record.WrappedKey, GdprTableConventions.FromUtcTicks(record.CreatedAtUtcTicks));

    private static void ValidateSubject(SubjectPseudonym subject, string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject.Value, nameof(subject));
        ArgumentException.ThrowIfNullOrEmpty(scope);
        if (subject.Value.Length > GdprKeyStoreModelBuilderExtensions.PseudonymMaxLength)
        {
            throw new ArgumentException($"A pseudonym is at most {GdprKeyStoreModelBuilderExtensions.PseudonymMaxLength} characters.", nameof(subject));
        }

        if (scope.Length > GdprKeyStoreModelBuilderExtensions.ScopeMaxLength)
        {
            throw new ArgumentException($"A scope name is at most {GdprKeyStoreModelBuilderExtensions.ScopeMaxLength} characters.", nameof(scope));
        }
    }

    private static void ValidateKeyEncryptionKeyId(string keyEncryptionKeyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyEncryptionKeyId);
        if (keyEncryptionKeyId.Length > GdprKeyStoreModelBuilderExtensions.KeyEncryptionKeyIdMaxLength)
        {
            throw new ArgumentException($"A key-encryption-key id is at most {GdprKeyStoreModelBuilderExtensions.KeyEncryptionKeyIdMaxLength} characters.", nameof(keyEncryptionKeyId));
        }
    }
}
