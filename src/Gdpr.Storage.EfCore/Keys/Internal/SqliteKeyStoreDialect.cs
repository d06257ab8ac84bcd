using System.Data;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// SQLite: one writer at a time (a serializable transaction begins with the write lock), <c>secure_delete</c> so a
/// deleted key's cell is zeroed, and a WAL checkpoint so no frame holding it survives in the -wal file.
/// </summary>
/// <remarks>Needs no package beyond EF's relational layer: everything is PRAGMAs through the context's connection.</remarks>
internal sealed class SqliteKeyStoreDialect : KeyStoreDialect
{
    private readonly ILogger _logger;

    public SqliteKeyStoreDialect(ILogger logger) => _logger = logger;

    public override string ProviderName => "Microsoft.EntityFrameworkCore.Sqlite";

    public override string DisplayName => "Sqlite";

    // A hundred rows a statement: each statement costs far more in the ADO.NET layer than in SQLite itself.
    public override Task InsertKeyRowsAsync(DbContext db, IReadOnlyList<SubjectKeyRow> rows, CancellationToken cancellationToken)
        => KeyRowInserter.InsertFromJsonAsync(db, rows, cancellationToken);

    public override async Task<IDbContextTransaction> BeginWriteAsync(DbContext db, IReadOnlyList<(string Pseudonym, string Scope)> pairs, CancellationToken cancellationToken)
    {
        // Serializable is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock at once, so reads in the transaction
        // cannot go stale before its write.
        await EnableSecureDeleteAsync(db, cancellationToken).ConfigureAwait(false);
        return await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
    }

    public override Task<bool> AfterShredAsync(DbContext db, CancellationToken cancellationToken) => CheckpointAsync(db, cancellationToken);

    public override Task BeforeRewrapAsync(DbContext db, CancellationToken cancellationToken) => EnableSecureDeleteAsync(db, cancellationToken);

    public override async Task<bool> PurgeAsync(DbContext db, bool full, CancellationToken cancellationToken)
    {
        await EnableSecureDeleteAsync(db, cancellationToken).ConfigureAwait(false);
        if (full)
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM", cancellationToken).ConfigureAwait(false);
        }

        var complete = await CheckpointAsync(db, cancellationToken).ConfigureAwait(false);
        if (!complete)
        {
            KeyStoreLog.PurgeCheckpointIncomplete(_logger);
        }

        return complete;
    }

    /// <remarks>SQLite's <c>VACUUM</c> rewrites the whole file, whatever the tables; the checkpoint then empties the WAL.</remarks>
    public override Task<bool> RewriteTablesAsync(DbContext db, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => PurgeAsync(db, full: true, cancellationToken);

    /// <remarks>
    /// A checkpoint every time (the deletes already zeroed the freed cells), so a retry finishes what a crash between
    /// a shred's commit and its checkpoint, or a reader holding an older snapshot, left behind.
    /// </remarks>
    public override async Task<KeyRemovalStatus> CompleteRemovalAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (await CheckpointAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return KeyRemovalStatus.Removed;
        }

        KeyStoreLog.RemovalPending(_logger, DisplayName);
        return KeyRemovalStatus.Pending;
    }

    /// <summary>Turns <c>secure_delete</c> on for the context's connection, opening it so the setting sticks.</summary>
    private static async Task EnableSecureDeleteAsync(DbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the WAL into the database file and truncates the WAL to zero bytes. Waits (through the busy timeout) for
    /// readers of older snapshots.
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
}
