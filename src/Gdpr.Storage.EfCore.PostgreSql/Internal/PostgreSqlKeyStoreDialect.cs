using System.Data;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore.PostgreSql;

/// <summary>
/// PostgreSQL: transaction-scoped advisory locks per (subject, scope) so that no node re-creates a version another
/// node is shredding; a <c>NOTIFY</c> in the shred's transaction so every node evicts the key; a purge that waits for
/// older transactions before it vacuums the key table.
/// </summary>
internal sealed class PostgreSqlKeyStoreDialect : KeyStoreDialect
{
    internal const string Provider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    internal const string ShredChannel = "gdpr_key_shred";

    // Namespaces the store's advisory locks (two-int form, "GDPR" in ASCII) away from the application's own.
    private const int AdvisoryLockClass = 0x47445052;

    private readonly ShredNotificationListener _listener;
    private readonly EfCoreKeyStoreOptions _options;
    private readonly ILogger _logger;

    public PostgreSqlKeyStoreDialect(ShredNotificationListener listener, IOptions<EfCoreKeyStoreOptions> options, ILogger<PostgreSqlKeyStoreDialect>? logger = null)
    {
        _listener = listener;
        _options = options.Value;
        _logger = logger ?? NullLogger<PostgreSqlKeyStoreDialect>.Instance;
    }

    public override string ProviderName => Provider;

    public override string DisplayName => "PostgreSql";

    /// <remarks>
    /// Every advisory lock takes a slot of the server's shared lock table (max_locks_per_transaction × connections,
    /// 6,400 by default) until the commit, so a large batch commits in parts of this size.
    /// </remarks>
    public override int MaxPairsPerTransaction => 512;

    public override ValueTask BeforeReadAsync(CancellationToken cancellationToken) => _listener.EnsureStartedAsync(cancellationToken);

    public override async Task<IDbContextTransaction> BeginWriteAsync(DbContext db, IReadOnlyList<(string Pseudonym, string Scope)> pairs, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var names = pairs.Select(p => p.Pseudonym + "|" + p.Scope).ToArray();

        // In the order of the lock ids themselves, so that two batches over overlapping pairs cannot deadlock.
        await db.Database.ExecuteSqlAsync(
            $"SELECT count(pg_advisory_xact_lock({AdvisoryLockClass}, h)) FROM (SELECT DISTINCT hashtext(n) AS h FROM unnest({names}) AS n ORDER BY 1) AS ids",
            cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    public override async Task OnShreddingAsync(DbContext db, SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        // Delivered to every listening node when (and only if) this transaction commits. Pseudonym only.
        var payload = subject.Value + "|" + scope;
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({ShredChannel}, {payload})", cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> PurgeAsync(DbContext db, bool full, CancellationToken cancellationToken)
    {
        var table = KeyStoreContextSource.GetTableName<SubjectKeyRow>(db);
        return await VacuumAsync(db, [table], full ? "VACUUM FULL " : "VACUUM ", cancellationToken).ConfigureAwait(false);
    }

    public override Task<bool> RewriteTablesAsync(DbContext db, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        => VacuumAsync(db, tables, "VACUUM FULL ", cancellationToken);

    /// <summary>
    /// Waits for the transactions that may still see the deleted row versions (or the limit), then vacuums: a vacuum
    /// must keep "recently dead" versions, and VACUUM FULL would copy them into the new file.
    /// </summary>
    private async Task<bool> VacuumAsync(DbContext db, IReadOnlyList<string> tables, string command, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var complete = await PostgresPurgeWait.WaitForOlderTransactionsAsync(db, _options.PurgeWaitLimit, _logger, cancellationToken).ConfigureAwait(false);

        // VACUUM cannot run in a transaction block; ExecuteSqlRaw without one runs in autocommit.
        // The table names come from the model and are delimited by the provider: no user input reaches the SQL.
        foreach (var table in tables)
        {
#pragma warning disable EF1003
            await db.Database.ExecuteSqlRawAsync(command + table, cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1003
        }

        return complete;
    }

    /// <remarks>
    /// Without <see cref="EfCoreKeyStoreOptions.PurgeOnErasure"/> the dead row versions stay until a scheduled purge,
    /// and the store keeps no record of such purges: pending.
    /// </remarks>
    public override async Task<KeyRemovalStatus> CompleteRemovalAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (!_options.PurgeOnErasure)
        {
            return KeyRemovalStatus.Pending;
        }

        if (await PurgeAsync(db, full: true, cancellationToken).ConfigureAwait(false))
        {
            return KeyRemovalStatus.Removed;
        }

        KeyStoreLog.RemovalPending(_logger, DisplayName);
        return KeyRemovalStatus.Pending;
    }
}
