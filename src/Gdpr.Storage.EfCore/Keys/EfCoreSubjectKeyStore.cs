using System.Collections.Concurrent;
using System.Data;
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
/// PostgreSQL the delete notifies every other node (<c>NOTIFY gdpr_key_shred</c>) in the same transaction, and
/// <see cref="PurgeDeletedKeysAsync"/> vacuums the dead row versions. See docs/key-store.md.</para>
/// </remarks>
public sealed partial class EfCoreSubjectKeyStore : ISubjectKeyStore
{
    internal const string ShredChannel = "gdpr_key_shred";
    private const int MaxAddAttempts = 3;

    // Namespaces the store's advisory locks (two-int form, "GDPR" in ASCII) away from the application's own.
    private const int AdvisoryLockClass = 0x47445052;

    private readonly KeyStoreContextSource _contexts;
    private readonly TimeProvider _time;
    private readonly ShredNotificationListener? _listener;
    private readonly EfCoreKeyStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _recordedKeyEncryptionKeys = new(StringComparer.Ordinal);

    internal EfCoreSubjectKeyStore(KeyStoreContextSource contexts, TimeProvider time, ShredNotificationListener? listener, EfCoreKeyStoreOptions options, ILogger<EfCoreSubjectKeyStore>? logger)
    {
        _contexts = contexts;
        _time = time;
        _listener = listener;
        _options = options;
        _logger = logger ?? NullLogger<EfCoreSubjectKeyStore>.Instance;
    }

    /// <summary>Gets or sets how many keys <see cref="GetKeysWrappedWithAsync"/> reads per query (tests lower it).</summary>
    internal int PageSize { get; set; } = 500;

    /// <inheritdoc/>
    public async ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, scope);

        // A key must not be cached before this node listens for other nodes' shreds of it.
        await EnsureListeningAsync(cancellationToken).ConfigureAwait(false);
        using var db = _contexts.Create();
        return await ReadStateAsync(db, subject, scope, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateSubject(key.Subject, key.Scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Version, 1);
        ValidateKeyEncryptionKeyId(key.KeyEncryptionKeyId);
        if (key.WrappedKey.IsEmpty)
        {
            throw new ArgumentException("The wrapped key is empty.", nameof(key));
        }

        await EnsureListeningAsync(cancellationToken).ConfigureAwait(false);
        await RecordKeyEncryptionKeyAsync(key.KeyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAddAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (attempt < MaxAddAttempts)
            {
                // The UNIQUE (pseudonym, scope) constraint refused our row: another writer (thread, process or node)
                // stored the first key meanwhile. Adopt the winner, read through a fresh context.
                Log.AddRaceLost(_logger, key.Subject.Value, key.Scope);
                using var db = _contexts.Create();
                var winner = (await ReadStateAsync(db, key.Subject, key.Scope, cancellationToken).ConfigureAwait(false)).Key;
                if (winner is not null)
                {
                    return winner;
                }

                // The winner was shredded already: try again, which fails if our version is now a shredded one.
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, scope);
        using var db = _contexts.Create();
        var provider = KeyStoreContextSource.GetProvider(db);
        var strategy = db.Database.CreateExecutionStrategy();
        var tombstone = await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                using var transaction = await BeginWriteAsync(db, provider, subject, scope, ct).ConfigureAwait(false);
                var version = await db.Set<SubjectKeyRecord>().AsNoTracking()
                    .Where(k => k.Pseudonym == subject.Value && k.Scope == scope)
                    .Select(k => (int?)k.Version)
                    .SingleOrDefaultAsync(ct).ConfigureAwait(false);
                if (version is null)
                {
                    return null;
                }

                // A DELETE, not an UPDATE that blanks the bytes: with secure_delete on, SQLite zeroes the freed cell.
                var deleted = await db.Set<SubjectKeyRecord>()
                    .Where(k => k.Pseudonym == subject.Value && k.Scope == scope && k.Version == version.Value)
                    .ExecuteDeleteAsync(ct).ConfigureAwait(false);
                if (deleted == 0)
                {
                    return null;
                }

                var record = new KeyTombstoneRecord { Pseudonym = subject.Value, Scope = scope, Version = version.Value, ShreddedAt = ToStoredTime(shreddedAt) };
                db.Add(record);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                if (provider == KeyStoreProvider.PostgreSql)
                {
                    // Delivered to every listening node when (and only if) this transaction commits. Pseudonym only.
                    var payload = subject.Value + "|" + scope;
                    await db.Database.ExecuteSqlAsync($"SELECT pg_notify({ShredChannel}, {payload})", ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return new KeyTombstone(subject, scope, record.Version, record.ShreddedAt);
            },
            cancellationToken).ConfigureAwait(false);

        if (tombstone is not null && provider == KeyStoreProvider.Sqlite && !await CheckpointAsync(db, cancellationToken).ConfigureAwait(false))
        {
            Log.CheckpointIncomplete(_logger, scope);
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
            scopes = await db.Set<SubjectKeyRecord>().AsNoTracking()
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
        List<KeyTombstoneRecord> records;
        using (var db = _contexts.Create())
        {
            records = await db.Set<KeyTombstoneRecord>().AsNoTracking()
                .Where(t => t.Pseudonym == subject.Value)
                .OrderBy(t => t.Scope).ThenBy(t => t.Version)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var record in records)
        {
            yield return new KeyTombstone(subject, record.Scope, record.Version, record.ShreddedAt);
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
            List<SubjectKeyRecord> page;
            using (var db = _contexts.Create())
            {
                var query = db.Set<SubjectKeyRecord>().AsNoTracking().Where(k => k.KeyEncryptionKeyId == keyEncryptionKeyId);
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

        await RecordKeyEncryptionKeyAsync(rewrapped.KeyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        using var db = _contexts.Create();
        if (KeyStoreContextSource.GetProvider(db) == KeyStoreProvider.Sqlite)
        {
            // The old wrapping's cell is freed by the update: zero it too.
            await EnableSecureDeleteAsync(db, cancellationToken).ConfigureAwait(false);
        }

        var newKeyId = rewrapped.KeyEncryptionKeyId;
        var newBytes = rewrapped.WrappedKey.ToArray();

        // One conditional UPDATE: the compare-and-swap is atomic in the database, across processes.
        var updated = await db.Set<SubjectKeyRecord>()
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
        var provider = KeyStoreContextSource.GetProvider(db);
        bool complete;
        switch (provider)
        {
            case KeyStoreProvider.PostgreSql:
                await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                complete = await PostgresPurgeWait.WaitForOlderTransactionsAsync(db, _options.PurgeWaitLimit, _logger, cancellationToken).ConfigureAwait(false);

                // VACUUM cannot run in a transaction block; ExecuteSqlRaw without one runs in autocommit.
                // The table name comes from the model and is delimited by the provider: no user input reaches the SQL.
                var table = KeyStoreContextSource.GetTableName<SubjectKeyRecord>(db);
#pragma warning disable EF1003
                await db.Database.ExecuteSqlRawAsync((full ? "VACUUM FULL " : "VACUUM ") + table, cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1003
                break;
            case KeyStoreProvider.Sqlite:
                await EnableSecureDeleteAsync(db, cancellationToken).ConfigureAwait(false);
                if (full)
                {
                    await db.Database.ExecuteSqlRawAsync("VACUUM", cancellationToken).ConfigureAwait(false);
                }

                complete = await CheckpointAsync(db, cancellationToken).ConfigureAwait(false);
                if (!complete)
                {
                    Log.PurgeCheckpointIncomplete(_logger);
                }

                break;
            default:
                // Other engines: nothing provider-neutral to run; their documentation says what removes deleted rows.
                complete = false;
                break;
        }

        Log.Purged(_logger, provider.ToString(), full, complete);
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
        KeyStoreProvider provider;
        using (var db = _contexts.Create())
        {
            provider = KeyStoreContextSource.GetProvider(db);
            if (provider == KeyStoreProvider.Sqlite)
            {
                if (await CheckpointAsync(db, cancellationToken).ConfigureAwait(false))
                {
                    return KeyRemovalStatus.Removed;
                }

                Log.RemovalPending(_logger, provider.ToString());
                return KeyRemovalStatus.Pending;
            }
        }

        switch (provider)
        {
            case KeyStoreProvider.PostgreSql when _options.PurgeOnErasure:
                if (await PurgeDeletedKeysAsync(full: true, cancellationToken).ConfigureAwait(false))
                {
                    return KeyRemovalStatus.Removed;
                }

                Log.RemovalPending(_logger, provider.ToString());
                return KeyRemovalStatus.Pending;
            case KeyStoreProvider.PostgreSql:
                return KeyRemovalStatus.Pending;
            default:
                return KeyRemovalStatus.NotApplicable;
        }
    }

    private async Task<WrappedSubjectKey> TryAddAsync(WrappedSubjectKey key, CancellationToken cancellationToken)
    {
        using var db = _contexts.Create();
        var provider = KeyStoreContextSource.GetProvider(db);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                using var transaction = await BeginWriteAsync(db, provider, key.Subject, key.Scope, ct).ConfigureAwait(false);
                var state = await ReadStateAsync(db, key.Subject, key.Scope, ct).ConfigureAwait(false);
                if (state.Key is not null)
                {
                    return state.Key;
                }

                if (key.Version <= state.LastShreddedVersion)
                {
                    throw new InvalidOperationException(
                        $"Key version {key.Version} of subject {key.Subject.Value}, scope '{key.Scope}' was already shredded; a new key needs a higher version.");
                }

                var record = new SubjectKeyRecord
                {
                    Pseudonym = key.Subject.Value,
                    Scope = key.Scope,
                    Version = key.Version,
                    KeyEncryptionKeyId = key.KeyEncryptionKeyId,
                    WrappedKey = key.WrappedKey.ToArray(),
                    CreatedAt = ToStoredTime(key.CreatedAt),
                };
                db.Add(record);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return ToKey(record);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the transaction of an add or a shred so that the two cannot interleave for one (subject, scope):
    /// SQLite takes the write lock at once (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock
    /// on the (subject, scope), so a writer never re-creates a version another node is shredding.
    /// </summary>
    private static async Task<IDbContextTransaction> BeginWriteAsync(DbContext db, KeyStoreProvider provider, SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        switch (provider)
        {
            case KeyStoreProvider.Sqlite:
                await EnableSecureDeleteAsync(db, cancellationToken).ConfigureAwait(false);
                return await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
            case KeyStoreProvider.PostgreSql:
                var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                var lockName = subject.Value + "|" + scope;
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockClass}, hashtext({lockName}))", cancellationToken).ConfigureAwait(false);
                return transaction;
            default:
                return await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Turns SQLite's <c>secure_delete</c> on for the context's connection, opening it so the setting sticks.</summary>
    private static async Task EnableSecureDeleteAsync(DbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the WAL into the database file and truncates the WAL to zero bytes, so that no frame holding a deleted
    /// key survives. Waits (through the busy timeout) for readers of older snapshots.
    /// </summary>
    /// <returns><see langword="false"/> when readers kept the checkpoint from completing.</returns>
    private static async Task<bool> CheckpointAsync(DbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var command = db.Database.GetDbConnection().CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                // One row: busy (1 when blocked), log frames, checkpointed frames; (0, -1, -1) when not in WAL mode.
                return !await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.GetInt64(0) == 0;
            }
        }
    }

    private static async Task<SubjectKeyState> ReadStateAsync(DbContext db, SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        // One round trip in the usual case (a live key exists): the key with its scope's last shredded version.
        var pseudonym = subject.Value;
        var live = await db.Set<SubjectKeyRecord>().AsNoTracking()
            .Where(k => k.Pseudonym == pseudonym && k.Scope == scope)
            .Select(k => new
            {
                Key = k,
                LastShredded = db.Set<KeyTombstoneRecord>().Where(t => t.Pseudonym == pseudonym && t.Scope == scope).Max(t => (int?)t.Version),
            })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (live is not null)
        {
            return new SubjectKeyState(ToKey(live.Key), live.LastShredded ?? 0);
        }

        var lastShredded = await db.Set<KeyTombstoneRecord>().AsNoTracking()
            .Where(t => t.Pseudonym == pseudonym && t.Scope == scope)
            .MaxAsync(t => (int?)t.Version, cancellationToken).ConfigureAwait(false);
        return new SubjectKeyState(null, lastShredded ?? 0);
    }

    /// <summary>Notes a key-encryption key the first time this process meets it; a concurrent insert by another node is fine.</summary>
    internal async Task RecordKeyEncryptionKeyAsync(string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        if (_recordedKeyEncryptionKeys.ContainsKey(keyEncryptionKeyId))
        {
            return;
        }

        using var db = _contexts.Create();
        var exists = await db.Set<KeyEncryptionKeyRecord>().AsNoTracking()
            .AnyAsync(k => k.KeyEncryptionKeyId == keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            db.Add(new KeyEncryptionKeyRecord { KeyEncryptionKeyId = keyEncryptionKeyId, CreatedAt = ToStoredTime(_time.GetUtcNow()) });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another process recorded it first: the row exists, which is all we wanted.
            }
        }

        _recordedKeyEncryptionKeys.TryAdd(keyEncryptionKeyId, 0);
    }

    /// <summary>Records when a key-encryption key was retired (the evidence that backups wrapped under it are now dead).</summary>
    internal async Task RecordKeyEncryptionKeyRetiredAsync(string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        await RecordKeyEncryptionKeyAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        var retiredAt = ToStoredTime(_time.GetUtcNow());
        using var db = _contexts.Create();
        await db.Set<KeyEncryptionKeyRecord>()
            .Where(k => k.KeyEncryptionKeyId == keyEncryptionKeyId && k.RetiredAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, retiredAt), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>UTC, to the microsecond: what every supported database keeps, so a key reads back as it was returned.</summary>
    private static DateTimeOffset ToStoredTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    private ValueTask EnsureListeningAsync(CancellationToken cancellationToken)
        => _listener is null ? ValueTask.CompletedTask : _listener.EnsureStartedAsync(cancellationToken);

    private static WrappedSubjectKey ToKey(SubjectKeyRecord record)
        => new(new SubjectPseudonym(record.Pseudonym), record.Scope, record.Version, record.KeyEncryptionKeyId, record.WrappedKey, record.CreatedAt);

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
