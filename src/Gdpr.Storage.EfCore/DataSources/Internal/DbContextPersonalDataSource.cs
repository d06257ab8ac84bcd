using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Gdpr.DataSources;
using Gdpr.Storage.EfCore.Diagnostics;
using Gdpr.Storage.EfCore.Columns;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Storage.EfCore.DataSources;

/// <summary>
/// The personal data of one DbContext as a source for export and erasure: every annotated entity type (owned types
/// included), queried by the plaintext subject-id column, in batches, through a context of its own scope (so the
/// adapter's interceptors decrypt what it reads).
/// </summary>
internal sealed class DbContextPersonalDataSource<TContext> : IPersonalDataSource
    where TContext : DbContext
{
    internal const int BatchSize = 500;

    private static readonly MethodInfo LoadBatchMethod = typeof(DbContextPersonalDataSource<TContext>)
        .GetMethod(nameof(LoadBatchAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo ReadColumnsMethod = typeof(DbContextPersonalDataSource<TContext>)
        .GetMethod(nameof(ReadColumnsAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo HasLegacyValueMethod = typeof(DbContextPersonalDataSource<TContext>)
        .GetMethod(nameof(HasLegacyValueAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;

    public DbContextPersonalDataSource(IServiceScopeFactory scopes, ILogger<DbContextPersonalDataSource<TContext>>? logger = null)
    {
        _scopes = scopes;
        _logger = logger ?? NullLogger<DbContextPersonalDataSource<TContext>>.Instance;
    }

    /// <summary>Gets <c>efcore:{context type name}</c>, so that two contexts stay apart in exports and audits.</summary>
    public string Name { get; } = GdprEfCore.SourceName + ":" + typeof(TContext).Name;

    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var model = PersonalDataModelMap.For(context.Model);
            foreach (var (entityType, subjectProperty) in model.QueryRoots)
            {
                if (!TryConvertSubject(subjectId, subjectProperty, out var subjectValue))
                {
                    continue;
                }

                object?[]? after = null;
                while (true)
                {
                    // Tracked, so that shadow keys are at hand; erased values are known from the read's one decryption.
                    var batch = await LoadAsync(context, entityType, subjectProperty, subjectValue, after, cancellationToken).ConfigureAwait(false);
                    after = LastKey(context, entityType, batch);
                    var items = new List<PersonalDataItem>();
                    foreach (var entity in batch)
                    {
                        if (model.Find(entity.GetType()) is not { } map)
                        {
                            continue;
                        }

                        var recordKey = map.KeyIsPersonal ? null : KeyText(context, entity, map);
                        var rowSubject = map.GetSubject?.Invoke(entity);
                        var subject = PersonalDataMembers.ToSubjectText(rowSubject) ?? subjectId;

                        // The item names the row's own subject, so the exporter can refuse another subject's value
                        // (Art. 15(4)); a typed id equal to the one asked for is reported in the caller's spelling.
                        var itemSubject = rowSubject is string || !Equals(rowSubject, subjectValue) ? subject : subjectId;
                        items.AddRange(Items(model, map, entity, itemSubject, map.Name, recordKey));
                    }

                    context.ChangeTracker.Clear();
                    foreach (var item in items)
                    {
                        yield return item;
                    }

                    if (batch.Count < BatchSize)
                    {
                        break;
                    }
                }
            }
        }
    }

    public async ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        ArgumentNullException.ThrowIfNull(request);
        var deleted = 0;
        var replaced = 0;
        var found = 0;
        var scopesFound = new HashSet<string>(StringComparer.Ordinal);

        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            ErasureContexts.Add(context);
            var model = PersonalDataModelMap.For(context.Model);
            foreach (var (entityType, subjectProperty) in model.QueryRoots)
            {
                if (!TryConvertSubject(subjectId, subjectProperty, out var subjectValue))
                {
                    continue;
                }

                // What is there before anything changes, read without decrypting (a subject whose keys this
                // environment cannot find must be reported, not fail as tampering).
                found += await FindAsync(context, model, entityType, subjectProperty, subjectValue, scopesFound, cancellationToken).ConfigureAwait(false);

                if (!entityType.GetDerivedTypesInclusive().Any(t => model.Get(t) is { } m && MayChange(model, m, request)))
                {
                    continue;
                }

                // Paged by key: each batch starts after the last key of the one before, whether its rows stayed or went.
                object?[]? after = null;
                while (true)
                {
                    var batch = await LoadAsync(context, entityType, subjectProperty, subjectValue, after, cancellationToken).ConfigureAwait(false);
                    after = LastKey(context, entityType, batch);
                    foreach (var entity in batch)
                    {
                        if (model.Find(entity.GetType()) is not { } map)
                        {
                            continue;
                        }

                        var members = new List<(PersonalDataEntityMap Map, PersonalDataMemberMap Member, object Instance)>();
                        Collect(model, map, entity, members);
                        if (members.Count > 0 && members.TrueForAll(m => DeletesRow(m.Member, request)))
                        {
                            context.Remove(entity);
                            deleted++;
                            continue;
                        }

                        foreach (var (owner, _, instance) in members.DistinctBy(m => m.Instance, ReferenceEqualityComparer.Instance))
                        {
                            replaced += PersonalDataRowCodec.BlankScopes(context.Entry(instance), owner, request.DestroyedScopes);
                        }

                        // Blind indexes live on root rows only.
                        BlindIndexMap.Clear(context.Entry(entity), map, request.DestroyedScopes);
                    }

                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    context.ChangeTracker.Clear();
                    if (batch.Count < BatchSize)
                    {
                        break;
                    }
                }
            }
        }

        EfCoreLog.Erased(_logger, Name, deleted, replaced);
        return new DataSourceErasureResult(Name, found, scopesFound, deleted, replaced);
    }

    /// <summary>
    /// Counts the subject's rows under one query root and adds the scopes their personal-data columns hold values of
    /// (non-empty entries; a replaced record's empty entry holds none). Reads the column as a projection, so no
    /// entity is materialized and nothing is decrypted. Owned types' columns are not read: when rows exist, every
    /// scope an owned type of the hierarchy maps is counted as found (the safe side: at worst an erasure is reported
    /// inconsistent for a scope whose key never existed).
    /// </summary>
    private static async Task<int> FindAsync(
        DbContext context, PersonalDataModelMap model, IEntityType entityType, IProperty subjectProperty, object subjectValue, HashSet<string> scopes, CancellationToken cancellationToken)
    {
        var maps = entityType.GetDerivedTypesInclusive().Select(model.Get).OfType<PersonalDataEntityMap>().ToList();
        var column = entityType.FindProperty(PersonalDataMembers.ColumnProperty);
        var rows = await ((Task<int>)ReadColumnsMethod.MakeGenericMethod(entityType.ClrType, subjectProperty.ClrType)
            .Invoke(null, [context, subjectProperty.Name, subjectValue, column?.Name, (Action<byte[]?>)(bytes => AddScopes(bytes, maps, scopes)), cancellationToken])!).ConfigureAwait(false);
        if (rows > 0)
        {
            foreach (var map in maps)
            {
                AddOwnedScopes(model, map, scopes);
                await AddLegacyScopesAsync(context, map, subjectProperty, subjectValue, scopes, cancellationToken).ConfigureAwait(false);
            }
        }

        return rows;
    }

    /// <summary>
    /// Adds the scope of every member whose old plaintext column (kept for the encryption pass, docs/migrations.md)
    /// still holds a value in one of the subject's rows. Such a value is under no key: if the subject has no key of that
    /// scope either, the erasure reports the scope as not destroyed (never certified) instead of finding "nothing".
    /// </summary>
    private static async Task AddLegacyScopesAsync(
        DbContext context, PersonalDataEntityMap map, IProperty subjectProperty, object subjectValue, HashSet<string> scopes, CancellationToken cancellationToken)
    {
        foreach (var member in map.Members)
        {
            if (scopes.Contains(member.Scope) || map.EntityType.FindDeclaredProperty(member.Name + PersonalDataMembers.LegacySuffix) is not { } legacy)
            {
                continue;
            }

            if (await ((Task<bool>)HasLegacyValueMethod.MakeGenericMethod(map.EntityType.ClrType, subjectProperty.ClrType)
                .Invoke(null, [context, subjectProperty.Name, subjectValue, legacy, cancellationToken])!).ConfigureAwait(false))
            {
                scopes.Add(member.Scope);
            }
        }
    }

    private static Task<bool> HasLegacyValueAsync<TEntity, TSubject>(DbContext context, string subjectProperty, object subjectValue, IProperty legacy, CancellationToken cancellationToken)
        where TEntity : class
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var subject = Expression.Equal(KeysetQuery.PropertyAccess(entity, subjectProperty, typeof(TSubject)), KeysetQuery.Parameter(subjectValue, typeof(TSubject)));
        var held = Expression.NotEqual(KeysetQuery.PropertyAccess(entity, legacy.Name, legacy.ClrType), Expression.Constant(null, legacy.ClrType));
        return context.Set<TEntity>().AsNoTracking().AnyAsync(Expression.Lambda<Func<TEntity, bool>>(Expression.AndAlso(subject, held), entity), cancellationToken);
    }

    private static void AddScopes(byte[]? column, List<PersonalDataEntityMap> maps, HashSet<string> scopes)
    {
        if (column is null)
        {
            return;
        }

        try
        {
            foreach (var (name, envelope) in PersonalDataColumn.ReadAll(column))
            {
                if (!envelope.IsEmpty)
                {
                    scopes.Add(Gdpr.Internal.StrictUtf8.Encoding.GetString(name));
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or System.Text.DecoderFallbackException)
        {
            // A column the SDK cannot read: count every scope it may hold.
            foreach (var record in maps.SelectMany(m => m.Records))
            {
                scopes.Add(record.Scope);
            }
        }
    }

    private static void AddOwnedScopes(PersonalDataModelMap model, PersonalDataEntityMap map, HashSet<string> scopes)
    {
        foreach (var (navigation, _) in map.OwnedNavigations)
        {
            if (model.Get(navigation.TargetEntityType) is { } owned)
            {
                foreach (var record in owned.Records)
                {
                    scopes.Add(record.Scope);
                }

                AddOwnedScopes(model, owned, scopes);
            }
        }
    }

    private static async Task<int> ReadColumnsAsync<TEntity, TSubject>(
        DbContext context, string subjectProperty, object subjectValue, string? columnProperty, Action<byte[]?> onColumn, CancellationToken cancellationToken)
        where TEntity : class
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var subjectColumn = KeysetQuery.PropertyAccess(entity, subjectProperty, typeof(TSubject));
        var parameter = KeysetQuery.Parameter(subjectValue, typeof(TSubject));
        var query = context.Set<TEntity>().AsNoTracking().Where(Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(subjectColumn, parameter), entity));
        if (columnProperty is null)
        {
            return await query.CountAsync(cancellationToken).ConfigureAwait(false);
        }

        var column = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(byte[])], entity, Expression.Constant(columnProperty));
        var rows = 0;
        await foreach (var bytes in query.Select(Expression.Lambda<Func<TEntity, byte[]?>>(column, entity)).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            onColumn(bytes);
        }

        return rows;
    }

    /// <summary>
    /// Whether an erasure writes the rows of this type: to replace or delete values, to empty old plaintext columns
    /// still kept for the encryption pass, or to empty blind-index columns. Otherwise destroying the key is all it takes.
    /// </summary>
    private static bool MayChange(PersonalDataModelMap model, PersonalDataEntityMap map, DataSourceErasureRequest request)
        => map.Members.Any(m => request.DestroyedScopes.Contains(m.Scope)
               && (m.Attribute.Erasure == ErasureAction.Replace || DeletesRow(m, request) || map.EntityType.FindProperty(m.Name + PersonalDataMembers.LegacySuffix) is not null))
           || map.BlindIndexes.Any(i => i.Members.Any(m => request.DestroyedScopes.Contains(map.Members[m].Scope)))
           || map.OwnedNavigations.Any(n => model.Get(n.Navigation.TargetEntityType) is { } owned && MayChange(model, owned, request));

    /// <summary>A row is deleted when every personal-data member in it is destroyed now and its policy says delete (the request says which).</summary>
    private static bool DeletesRow(PersonalDataMemberMap member, DataSourceErasureRequest request)
        => request.DestroyedScopes.Contains(member.Scope) && request.RowDeletingScopes.Contains(member.Scope);

    private static void Collect(PersonalDataModelMap model, PersonalDataEntityMap map, object instance, List<(PersonalDataEntityMap, PersonalDataMemberMap, object)> members)
    {
        foreach (var member in map.Members)
        {
            members.Add((map, member, instance));
        }

        foreach (var (_, ownedMap, owned) in map.OwnedInstances(model, instance))
        {
            Collect(model, ownedMap, owned, members);
        }
    }

    /// <summary>
    /// The entity's values as export items. Whether a value is erased comes from the materialization's one decryption
    /// (<see cref="ErasedAtRead"/>), so nothing is decrypted a second time.
    /// </summary>
    private IEnumerable<PersonalDataItem> Items(PersonalDataModelMap model, PersonalDataEntityMap map, object entity, string itemSubject, string entityName, string? recordKey)
    {
        var erasedRecords = ErasedAtRead.ErasedRecords(entity);
        for (var i = 0; i < map.Members.Length; i++)
        {
            var member = map.Members[i];
            var erased = erasedRecords is not null && Volatile.Read(ref erasedRecords[map.RecordOfMember[i]]) != 0;
            var value = erased ? null : member.Get(entity);
            if (value is null && !erased)
            {
                continue; // Nothing held.
            }

            var attribute = member.Attribute;
            yield return new PersonalDataItem
            {
                Source = Name,
                Entity = entityName,
                SubjectId = itemSubject,
                RecordKey = recordKey,
                Member = member.Name,
                Category = attribute.Category,
                Purposes = attribute.Purposes,
                RetentionPolicy = attribute.RetentionPolicy,
                LawfulBasis = attribute.LawfulBasis,
                ProvidedBySubject = attribute.ProvidedBySubject,
                IsErased = erased,
                Value = value,
            };
        }

        foreach (var (navigation, ownedMap, instance) in map.OwnedInstances(model, entity))
        {
            foreach (var item in Items(model, ownedMap, instance, itemSubject, entityName + "." + navigation.Name, recordKey))
            {
                yield return item;
            }
        }
    }

    private static string KeyText(DbContext context, object entity, PersonalDataEntityMap map)
    {
        var entry = context.Entry(entity);
        return string.Join(",", map.KeyProperties.Select(p => Convert.ToString(entry.CurrentValues[p], CultureInfo.InvariantCulture)));
    }

    private static bool TryConvertSubject(string subjectId, IProperty property, out object value)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        value = subjectId;
        if (type == typeof(string))
        {
            return true;
        }

        try
        {
            value = type == typeof(Guid) ? Guid.Parse(subjectId, CultureInfo.InvariantCulture) : Convert.ChangeType(subjectId, type, CultureInfo.InvariantCulture);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            return false; // An id this column cannot hold: the source holds nothing of that subject.
        }
    }

    /// <summary>The primary key of a batch's last row, where the next batch starts; null after the last batch.</summary>
    private static object?[]? LastKey(DbContext context, IEntityType entityType, List<object> batch)
    {
        if (batch.Count < BatchSize)
        {
            return null;
        }

        return KeysetQuery.KeyOf(context, entityType, batch[^1]);
    }

    private static Task<List<object>> LoadAsync(DbContext context, IEntityType entityType, IProperty subjectProperty, object subjectValue, object?[]? after, CancellationToken cancellationToken)
        => (Task<List<object>>)LoadBatchMethod.MakeGenericMethod(entityType.ClrType, subjectProperty.ClrType)
            .Invoke(null, [context, entityType, subjectProperty.Name, subjectValue, after, cancellationToken])!;

    /// <summary>
    /// One batch of the subject's rows, tracked, in primary-key order, starting after <paramref name="after"/> (keyset
    /// paging: the database seeks in the key's index instead of counting past the rows before, and rows an erasure
    /// deleted or kept never shift the next batch).
    /// </summary>
    private static async Task<List<object>> LoadBatchAsync<TEntity, TSubject>(DbContext context, IEntityType entityType, string subjectProperty, object subjectValue, object?[]? after, CancellationToken cancellationToken)
        where TEntity : class
    {
        IQueryable<TEntity> query = context.Set<TEntity>();

        // The subject and the keys go in as parameters, never as SQL literals (they may be personal data; SQL may be logged).
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var column = KeysetQuery.PropertyAccess(entity, subjectProperty, typeof(TSubject));
        query = query.Where(Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(column, KeysetQuery.Parameter(subjectValue, typeof(TSubject))), entity));

        var keys = entityType.FindPrimaryKey()?.Properties ?? [];
        var list = await KeysetQuery.Page(query, keys, after, BatchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return list.ConvertAll(e => (object)e);
    }
}
