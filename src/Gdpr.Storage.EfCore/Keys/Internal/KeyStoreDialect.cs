using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// What the key store does differently per database engine: how a write excludes a concurrent add or shred of the
/// same (subject, scope), what a shred tells other nodes, and how the bytes of deleted rows leave the database's files.
/// </summary>
/// <remarks>
/// SQLite and the engine-neutral fallback live in this assembly; PostgreSQL lives in Gdpr.Storage.EfCore.PostgreSql,
/// registered by <c>UseEfCorePostgreSql()</c>, so that an application on SQLite references no Npgsql.
/// </remarks>
internal abstract class KeyStoreDialect
{
    /// <summary>Gets the EF provider name (<c>Database.ProviderName</c>) the dialect serves; <see langword="null"/> for the fallback.</summary>
    public abstract string? ProviderName { get; }

    /// <summary>Gets the engine's name for logs.</summary>
    public abstract string DisplayName { get; }

    /// <summary>Gets how many (subject, scope) pairs one write transaction of a batch covers at most.</summary>
    public virtual int MaxPairsPerTransaction => int.MaxValue;

    /// <summary>
    /// Inserts a batch's new key rows inside the write transaction of <paramref name="db"/>: by default multi-row
    /// <c>INSERT</c> statements of 100 rows (<see cref="KeyRowInserter.InsertAsync"/>).
    /// </summary>
    /// <param name="db">The write transaction's context.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task InsertKeyRowsAsync(DbContext db, IReadOnlyList<SubjectKeyRow> rows, CancellationToken cancellationToken)
        => KeyRowInserter.InsertAsync(db, rows, rowsPerStatement: 100, cancellationToken);

    /// <summary>
    /// Runs before a read whose key may be cached: a key must not be cached before this node can hear about its
    /// shredding on another node.
    /// </summary>
    public virtual ValueTask BeforeReadAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Starts the transaction of an add or a shred so that no other add or shred of the same (subject, scope) can
    /// interleave with it, on any node.
    /// </summary>
    /// <param name="db">The operation's own context.</param>
    /// <param name="pairs">The (pseudonym, scope) pairs the transaction writes, distinct.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public abstract Task<IDbContextTransaction> BeginWriteAsync(DbContext db, IReadOnlyList<(string Pseudonym, string Scope)> pairs, CancellationToken cancellationToken);

    /// <summary>Runs inside a shred's transaction, after the key row was deleted and before the commit.</summary>
    public virtual Task OnShreddingAsync(DbContext db, SubjectPseudonym subject, string scope, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after a shred committed, on the same context: makes the deleted bytes leave the files when the engine can do so at once.</summary>
    /// <returns><see langword="false"/> when that could not complete (the caller logs it).</returns>
    public virtual Task<bool> AfterShredAsync(DbContext db, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Runs before an update that frees the cell of an old wrapping.</summary>
    public virtual Task BeforeRewrapAsync(DbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Rewrites tables so that the bytes of their deleted and overwritten row versions leave the database's own files
    /// (and its write-ahead log, where the engine keeps one the SDK can empty).
    /// </summary>
    /// <param name="db">A context outside any transaction: the rewrite cannot run inside one.</param>
    /// <param name="tables">The tables, delimited by the provider (names from the model, never input).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when something held the rewrite back (older transactions, readers); the caller reports it.</returns>
    /// <exception cref="NotSupportedException">The engine has no dialect that knows how.</exception>
    public virtual Task<bool> RewriteTablesAsync(DbContext db, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => throw new NotSupportedException($"Rewriting tables to remove deleted row versions is implemented for SQLite and PostgreSQL, not for {db.Database.ProviderName}; see docs/migrations.md for what to run.");

    /// <summary>Removes what deleted key rows leave behind in the database's own files.</summary>
    /// <returns>Whether nothing held the purge back; <see langword="false"/> on engines with nothing to run.</returns>
    public virtual Task<bool> PurgeAsync(DbContext db, bool full, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>Makes sure the bytes of every destroyed key and replaced wrapping are gone, and says whether they are known to be.</summary>
    public virtual Task<KeyRemovalStatus> CompleteRemovalAsync(DbContext db, CancellationToken cancellationToken) => Task.FromResult(KeyRemovalStatus.NotApplicable);
}
