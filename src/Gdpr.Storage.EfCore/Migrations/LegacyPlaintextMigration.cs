using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using Gdpr.Storage.EfCore.DataSources;
using Gdpr.Storage.EfCore.Diagnostics;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Storage.EfCore;

/// <summary>
/// Moves the plaintext an existing database holds for <see cref="PersonalDataAttribute"/> members (columns kept by
/// <see cref="LegacyPlaintextModelBuilderExtensions.HasLegacyPlaintextColumns(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder)"/>)
/// under the subjects' keys, checks that it is done, and removes the plaintext's remnants from the database files.
/// The procedure, with its migrations, is in docs/migrations.md.
/// </summary>
/// <typeparam name="TContext">The application's context, set up with <c>UseGdpr</c>.</typeparam>
/// <remarks>
/// Each batch is one transaction (serializable: on SQLite it holds the write lock, on PostgreSQL a concurrent change
/// of a row fails the batch, which is then read again): the rows' envelopes are written and their plaintext columns
/// emptied together, or not at all. A row whose plaintext columns are empty is done, so a pass stopped at any point
/// (cancelled, killed) continues where it was and encrypts nothing twice. A row the application saved through the
/// adapter since the columns were kept already holds its current values encrypted; its plaintext columns are
/// older, and are emptied without being used.
/// </remarks>
public sealed class LegacyPlaintextMigration<TContext>
    where TContext : DbContext
{
    private const int MaxBatchAttempts = 5;
    private readonly IDbContextFactory<TContext> _contexts;
    private readonly KeyStoreDialects _dialects;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal LegacyPlaintextMigration(IDbContextFactory<TContext> contexts, KeyStoreDialects dialects, TimeProvider time, ILogger<LegacyPlaintextMigration<TContext>>? logger)
    {
        _contexts = contexts;
        _dialects = dialects;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets or sets how many rows one batch (one transaction) encrypts; 500 by default.</summary>
    public int BatchSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 500;

    /// <summary>
    /// Encrypts every row that still holds plaintext, entity type by entity type, in key order. Rows without a
    /// data subject id are left as they are and listed in the result (by entity and key, never by value).
    /// </summary>
    /// <param name="progress">Receives the progress after every batch; may be null.</param>
    /// <param name="cancellationToken">Stops the pass after the batch in flight is committed or rolled back.</param>
    /// <returns>What was encrypted and what was refused.</returns>
    public async Task<LegacyEncryptionResult> EncryptAsync(IProgress<LegacyEncryptionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var encrypted = 0L;
        var refused = new List<string>();
        foreach (var entityType in LegacyEntityTypes())
        {
            var (done, refusedRows) = await EncryptEntityAsync(entityType, progress, cancellationToken).ConfigureAwait(false);
            encrypted += done;
            refused.AddRange(refusedRows);
        }

        return new LegacyEncryptionResult(encrypted, refused);
    }

    /// <summary>
    /// Checks that no plaintext column of any entity type holds a value and that every row of them reads back
    /// through the adapter (every envelope authenticates under its subject's key).
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Passed, or the problems found (by entity, with counts and keys; never a value).</returns>
    public async Task<LegacyVerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        foreach (var entityType in LegacyEntityTypes())
        {
            var name = entityType.ClrType.Name;
            using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var left = await CountLegacyRowsAsync(context, entityType, cancellationToken).ConfigureAwait(false);
            if (left > 0)
            {
                problems.Add($"{name}: {left} rows still hold plaintext in their legacy columns.");
            }

            try
            {
                await ReadAllAsync(entityType, cancellationToken).ConfigureAwait(false);
            }
            catch (PersonalDataIntegrityException ex)
            {
                problems.Add($"{name}: a row does not read back ({ex.Message}).");
            }
            catch (PersonalDataModelException ex)
            {
                problems.Add($"{name}: a row does not read back ({ex.Message}).");
            }
            catch (Exception ex) when (IsUnreadableValue(ex))
            {
                problems.Add($"{name}: a row's old value cannot be read as its member's type (the encryption pass lists it).");
            }
        }

        return new LegacyVerificationResult(problems);
    }

    /// <summary>
    /// Removes what the emptied columns left in the database's own files: SQLite rewrites the file with
    /// <c>secure_delete</c> on (<c>VACUUM</c>) and checkpoints the WAL into it; PostgreSQL waits for the transactions
    /// that may still see the old row versions (up to <see cref="EfCoreKeyStoreOptions.PurgeWaitLimit"/>), then
    /// rewrites each table (<c>VACUUM FULL</c>). Backups, replicas and WAL archives are out of reach: they age out
    /// with the backup horizon (docs/migrations.md).
    /// </summary>
    /// <param name="cancellationToken">Cancels the clean-up.</param>
    /// <returns>
    /// <see langword="true"/> when nothing held the rewrite back; <see langword="false"/> when an older transaction
    /// or a reader did (logged), so old row versions may still be in the files: run it again.
    /// </returns>
    /// <exception cref="NotSupportedException">The database is neither SQLite nor PostgreSQL.</exception>
    public async Task<bool> RemovePlaintextRemnantsAsync(CancellationToken cancellationToken = default)
    {
        using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var dialect = _dialects.For(context, typeof(TContext).Name);
        var helper = context.GetService<ISqlGenerationHelper>();
        var tables = LegacyEntityTypes(context.Model).Select(e => helper.DelimitIdentifier(e.GetTableName()!, e.GetSchema())).Distinct().ToArray();
        try
        {
            return await dialect.RewriteTablesAsync(context, tables, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private IEntityType[] LegacyEntityTypes()
    {
        using var context = _contexts.CreateDbContext();
        return LegacyEntityTypes(context.Model);
    }

    private static IEntityType[] LegacyEntityTypes(IModel model)
        => [.. model.GetEntityTypes().Where(e => e.FindOwnership() is null && e.BaseType is null && LegacyProperties(e).Length > 0)];

    /// <summary>The legacy shadow properties of an entity type and its derived types.</summary>
    private static IProperty[] LegacyProperties(IEntityType entityType)
        => [.. entityType.GetDerivedTypesInclusive().SelectMany(t => t.GetDeclaredProperties()).Where(p => p.Name.EndsWith(PersonalDataMembers.LegacySuffix, StringComparison.Ordinal))];

    private async Task<(long Done, List<string> Refused)> EncryptEntityAsync(IEntityType entityType, IProgress<LegacyEncryptionProgress>? progress, CancellationToken cancellationToken)
    {
        var name = entityType.ClrType.Name;
        long total;
        using (var counting = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            total = await CountLegacyRowsAsync(counting, entityType, cancellationToken).ConfigureAwait(false);
        }

        var started = _time.GetTimestamp();
        var done = 0L;
        var refused = new List<string>();
        object?[]? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await EncryptBatchAsync(entityType, after, cancellationToken).ConfigureAwait(false);
            if (batch.PageSize == 0)
            {
                break;
            }

            after = batch.LastKey;
            done += batch.Encrypted;
            refused.AddRange(batch.Refused);
            var seconds = _time.GetElapsedTime(started).TotalSeconds;
            var rate = seconds > 0 ? done / seconds : 0;
            EfCoreLog.LegacyBatchEncrypted(_logger, name, done, total, rate);
            progress?.Report(new LegacyEncryptionProgress(name, done, total, rate));
            if (batch.PageSize < BatchSize)
            {
                break;
            }
        }

        if (refused.Count > 0)
        {
            EfCoreLog.LegacyRowsRefused(_logger, name, refused.Count);
        }

        return (done, refused);
    }

    private async Task<(int PageSize, int Encrypted, List<string> Refused, object?[]? LastKey)> EncryptBatchAsync(IEntityType entityType, object?[]? after, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The batch's keys first, outside its transaction: on SQLite the transaction holds the file's one write
            // lock, which the key store (its own connection) would wait for.
            using (var preparing = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            {
                var keys = new HashSet<(string, string)>();
                foreach (var entity in (await LoadBatchAsync(preparing, entityType, after, cancellationToken).ConfigureAwait(false)).Rows)
                {
                    _ = Encrypt(preparing, entity, keys);
                }

                var crypto = DecryptingBindingInterceptor.CryptoFor(preparing);
                if (keys.Count > 0)
                {
                    await crypto.Encryptor.PrepareManyAsync([.. keys], forWriting: true, cancellationToken).ConfigureAwait(false);
                }

                // The blind indexes' first epoch too: created inside the batch's transaction, its key-store write
                // would wait on SQLite for the write lock the transaction holds.
                if (crypto.BlindIndexes is { } ring && PersonalDataModelMap.For(preparing.Model).Get(entityType) is { BlindIndexes.Length: > 0 })
                {
                    _ = await ring.GetAsync(forWriting: true, cancellationToken).ConfigureAwait(false);
                }
            }

            using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            QueriedRowContexts.Add(context); // every entity it saves is read by LoadBatchAsync below
            try
            {
                // Not cancelled inside the transaction: a batch commits or rolls back whole.
                var transaction = await context.Database.BeginTransactionAsync(IsolationLevel.Serializable, CancellationToken.None).ConfigureAwait(false);
                await using var disposeTransaction = transaction.ConfigureAwait(false);
                var batch = await LoadBatchAsync(context, entityType, after, CancellationToken.None).ConfigureAwait(false);
                var encrypted = 0;
                var refused = new List<string>(batch.Unreadable);
                foreach (var entity in batch.Rows)
                {
                    if (Encrypt(context, entity, keysNeeded: null))
                    {
                        encrypted++;
                    }
                    else
                    {
                        refused.Add(NoSubjectText(context, entity));
                    }
                }

                await context.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return (batch.PageSize, encrypted, refused, batch.PageSize == 0 ? after : batch.LastKey);
            }
            catch (Exception ex) when (attempt < MaxBatchAttempts && ex is DbUpdateException or DbException or InvalidOperationException { InnerException: DbException })
            {
                // A concurrent change of one of the rows (PostgreSQL's serialization failure): read the batch again.
                EfCoreLog.LegacyBatchRetried(_logger, entityType.ClrType.Name, attempt);
            }
        }
    }

    /// <summary>
    /// Moves one row's plaintext into its members (unless the row already holds envelopes, which are newer) and empties
    /// the plaintext columns; the save encrypts. False, and nothing changed, when the row has no data subject id.
    /// <paramref name="keysNeeded"/> receives the (subject, scope) keys the save will need.
    /// </summary>
    private static bool Encrypt(DbContext context, object entity, HashSet<(string, string)>? keysNeeded)
    {
        var entry = context.Entry(entity);
        var map = PersonalDataModelMap.For(context.Model).Get(entry.Metadata);
        if (map is null)
        {
            return false;
        }

        var subject = map.SubjectProperty is null ? null : PersonalDataMembers.ToSubjectText(entry.Property(map.SubjectProperty.Name).CurrentValue);
        if (string.IsNullOrWhiteSpace(subject))
        {
            return false;
        }

        var fresh = entry.Property(PersonalDataMembers.ColumnProperty).CurrentValue is null;
        foreach (var member in map.Members)
        {
            if (entry.Metadata.FindProperty(member.Name + PersonalDataMembers.LegacySuffix) is not { } legacy)
            {
                continue;
            }

            var value = entry.Property(legacy.Name).CurrentValue;
            if (fresh && value is not null)
            {
                member.Set(entity, value);
            }

            entry.Property(legacy.Name).CurrentValue = null;
        }

        foreach (var record in map.Records)
        {
            if (record.Members.Any(i => map.Members[i].Get(entity) is not null))
            {
                keysNeeded?.Add((subject, record.Scope));
            }
        }

        return true;
    }

    private static string NoSubjectText(DbContext context, object entity)
    {
        var map = PersonalDataModelMap.For(context.Model).Get(context.Entry(entity).Metadata);
        var key = map is null ? "[withheld]" : PersonalDataRowCodec.KeyText(map, entity);
        return $"{entity.GetType().Name} (key {key}): no data subject id in {map?.SubjectProperty?.Name ?? "its owner"}";
    }

    /// <summary>
    /// A value the provider could not convert to its member's type (text in a SQLite number column, a PostgreSQL
    /// numeric beyond decimal's range). The exception's own message may quote the value, so it is never passed on.
    /// </summary>
    private static bool IsUnreadableValue(Exception ex)
        => ex is InvalidCastException or FormatException or OverflowException
            || ex is InvalidOperationException { InnerException: InvalidCastException or FormatException or OverflowException };

    private Task<LoadedBatch> LoadBatchAsync(DbContext context, IEntityType entityType, object?[]? after, CancellationToken cancellationToken)
        => CallFor<Task<LoadedBatch>>(nameof(LoadBatchCoreAsync), entityType, this, [context, entityType, after, cancellationToken]);

    /// <summary>Calls this class's generic method <paramref name="name"/> for the entity type's CLR type (<c>Set&lt;TEntity&gt;</c> needs it).</summary>
    private static T CallFor<T>(string name, IEntityType entityType, object? target, object?[] arguments)
        => (T)typeof(LegacyPlaintextMigration<TContext>).GetMethod(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(entityType.ClrType).Invoke(target, arguments)!;

    /// <summary>
    /// The next page of rows that hold plaintext, tracked. When a row's old value cannot be read, the page is read
    /// again row by row so that the other rows go on and the unreadable ones are refused, by key and member.
    /// </summary>
    private async Task<LoadedBatch> LoadBatchCoreAsync<TEntity>(DbContext context, IEntityType entityType, object?[]? after, CancellationToken cancellationToken)
        where TEntity : class
    {
        var keys = entityType.FindPrimaryKey()!.Properties;
        var query = context.Set<TEntity>().Where(HasLegacyValue<TEntity>(entityType));
        try
        {
            var rows = await KeysetQuery.Page(query.AsTracking(), keys, after, BatchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
            return new(rows.ConvertAll(e => (object)e), rows.Count, rows.Count == 0 ? null : KeysetQuery.KeyOf(context, entityType, rows[^1]), []);
        }
        catch (Exception ex) when (IsUnreadableValue(ex))
        {
            context.ChangeTracker.Clear();
        }

        var pageKeys = await KeysetQuery.Page(query.AsNoTracking(), keys, after, BatchSize).Select(KeysetQuery.KeyValues<TEntity>(keys)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<object>(pageKeys.Count);
        var unreadable = new List<string>();
        foreach (var key in pageKeys)
        {
            var row = query.AsTracking().Where(KeysetQuery.HasKey<TEntity>(keys, key));
            try
            {
                found.AddRange(await row.ToListAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (IsUnreadableValue(ex))
            {
                unreadable.Add(await DescribeUnreadableAsync(context, row, entityType, key, cancellationToken).ConfigureAwait(false));
            }
        }

        return new(found, pageKeys.Count, pageKeys.Count == 0 ? null : pageKeys[^1], unreadable);
    }

    /// <summary>Which old values of the row cannot be read, by member and type; never the value.</summary>
    private static async Task<string> DescribeUnreadableAsync<TEntity>(DbContext context, IQueryable<TEntity> row, IEntityType entityType, object?[] key, CancellationToken cancellationToken)
        where TEntity : class
    {
        var members = new List<string>();
        foreach (var legacy in entityType.GetProperties().Where(p => p.Name.EndsWith(PersonalDataMembers.LegacySuffix, StringComparison.Ordinal)))
        {
            var entity = Expression.Parameter(typeof(TEntity), "e");
            var value = Expression.Lambda<Func<TEntity, object?>>(Expression.Convert(KeysetQuery.PropertyAccess(entity, legacy.Name, legacy.ClrType), typeof(object)), entity);
            try
            {
                _ = await row.AsNoTracking().Select(value).ToListAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsUnreadableValue(ex))
            {
                var type = Nullable.GetUnderlyingType(legacy.ClrType) ?? legacy.ClrType;
                members.Add($"{legacy.Name[..^PersonalDataMembers.LegacySuffix.Length]} (not a {type.Name})");
            }
        }

        var map = PersonalDataModelMap.For(context.Model).Get(entityType);
        var keyText = map is null ? "[withheld]" : PersonalDataRowCodec.KeyText(map, (IEnumerable<object?>)key);
        return $"{entityType.ClrType.Name} (key {keyText}): the old value of {(members.Count == 0 ? "a member" : string.Join(", ", members))} cannot be read";
    }

    /// <summary>A page of rows with plaintext: those read (tracked), the page's size and last key, and the rows refused as unreadable.</summary>
    private sealed record LoadedBatch(List<object> Rows, int PageSize, object?[]? LastKey, List<string> Unreadable);

    private static Task<int> CountLegacyRowsAsync(DbContext context, IEntityType entityType, CancellationToken cancellationToken)
        => CallFor<Task<int>>(nameof(CountCoreAsync), entityType, null, [context, entityType, cancellationToken]);

    private static Task<int> CountCoreAsync<TEntity>(DbContext context, IEntityType entityType, CancellationToken cancellationToken)
        where TEntity : class
        => context.Set<TEntity>().AsNoTracking().CountAsync(HasLegacyValue<TEntity>(entityType), cancellationToken);

    /// <summary><c>e =&gt; EF.Property(e, "Phone$legacy") != null || ...</c> over every legacy column of the type.</summary>
    private static Expression<Func<TEntity, bool>> HasLegacyValue<TEntity>(IEntityType entityType)
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        Expression? any = null;
        foreach (var legacy in LegacyProperties(entityType))
        {
            var access = KeysetQuery.PropertyAccess(entity, legacy.Name, legacy.ClrType);
            var notNull = Expression.NotEqual(access, Expression.Constant(null, legacy.ClrType));
            any = any is null ? notNull : Expression.OrElse(any, notNull);
        }

        return Expression.Lambda<Func<TEntity, bool>>(any ?? Expression.Constant(false), entity);
    }

    private Task ReadAllAsync(IEntityType entityType, CancellationToken cancellationToken)
        => CallFor<Task>(nameof(ReadAllCoreAsync), entityType, this, [entityType, cancellationToken]);

    private async Task ReadAllCoreAsync<TEntity>(IEntityType entityType, CancellationToken cancellationToken)
        where TEntity : class
    {
        object?[]? after = null;
        while (true)
        {
            using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var rows = await KeysetQuery.Page(context.Set<TEntity>().AsTracking(), entityType.FindPrimaryKey()!.Properties, after, BatchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count < BatchSize)
            {
                return;
            }

            after = KeysetQuery.KeyOf(context, entityType, rows[^1]);
        }
    }
}
