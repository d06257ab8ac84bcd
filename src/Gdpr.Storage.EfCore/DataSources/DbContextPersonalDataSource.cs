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
            var crypto = DecryptingBindingInterceptor.CryptoFor(context);
            foreach (var (entityType, subjectProperty) in model.QueryRoots)
            {
                if (!TryConvertSubject(subjectId, subjectProperty, out var subjectValue))
                {
                    continue;
                }

                for (var skip = 0; ; skip += BatchSize)
                {
                    // Tracked, so that each value's envelope is at hand to tell an erased value from a stored one.
                    var batch = await LoadAsync(context, entityType, subjectProperty, subjectValue, skip, tracking: true, cancellationToken).ConfigureAwait(false);
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
                        items.AddRange(Items(context, crypto, model, map, entity, subject, itemSubject, map.Name, recordKey));
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

                // Rows that stay are skipped by offset; deleted rows drop out of the result by themselves.
                var kept = 0;
                while (true)
                {
                    var batch = await LoadAsync(context, entityType, subjectProperty, subjectValue, kept, tracking: true, cancellationToken).ConfigureAwait(false);
                    foreach (var entity in batch)
                    {
                        if (model.Find(entity.GetType()) is not { } map)
                        {
                            kept++;
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

                        kept++;
                        foreach (var (owner, _, instance) in members.DistinctBy(m => m.Instance, ReferenceEqualityComparer.Instance))
                        {
                            replaced += ReplaceRecords(context, owner, instance, request);
                        }
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

        Log.Erased(_logger, Name, deleted, replaced);
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
            }
        }

        return rows;
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
        var holder = new SubjectHolder<TSubject>((TSubject)subjectValue);
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var subjectColumn = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TSubject)], entity, Expression.Constant(subjectProperty));
        var parameter = Expression.Property(Expression.Constant(holder), nameof(SubjectHolder<TSubject>.Value));
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
    /// Blanks the record of each destroyed scope that holds an <see cref="ErasureAction.Replace"/> member: its entry
    /// becomes the empty "replaced" marker, so nothing of its values is left and every member of it reads as its
    /// replacement (the scope's key is being destroyed, so the others of the record are erased either way). The
    /// object gets the replacements too, or the save would see changed values (while the key still exists) and
    /// encrypt them again over the marker. Returns how many <see cref="ErasureAction.Replace"/> values were replaced.
    /// </summary>
    private static int ReplaceRecords(DbContext context, PersonalDataEntityMap map, object instance, DataSourceErasureRequest request)
    {
        var replaced = 0;
        var values = context.Entry(instance).CurrentValues;
        List<(byte[] Name, ReadOnlyMemory<byte> Envelope)>? entries = null;
        foreach (var record in map.Records)
        {
            var replacing = record.Members.Where(i => map.Members[i].Attribute.Erasure == ErasureAction.Replace).ToList();
            if (replacing.Count == 0 || !request.DestroyedScopes.Contains(record.Scope))
            {
                continue;
            }

            entries ??= PersonalDataColumn.ReadAll((byte[]?)values[map.Column!]);
            var at = entries.FindIndex(e => e.Name.AsSpan().SequenceEqual(record.EntryName));
            if (at < 0 || entries[at].Envelope.IsEmpty)
            {
                continue; // No values, or replaced already: nothing to do (a second run counts none).
            }

            replaced += replacing.Count(i => map.Members[i].Get(instance) is not null);
            entries[at] = (entries[at].Name, ReadOnlyMemory<byte>.Empty);
            foreach (var i in record.Members)
            {
                map.Members[i].Set(instance, map.Members[i].ErasedValue);
            }
        }

        if (entries is not null)
        {
            values[map.Column!] = PersonalDataColumn.Write(entries);
        }

        return replaced;
    }

    private static bool MayChange(PersonalDataModelMap model, PersonalDataEntityMap map, DataSourceErasureRequest request)
        => map.Members.Any(m => request.DestroyedScopes.Contains(m.Scope) && (m.Attribute.Erasure == ErasureAction.Replace || DeletesRow(m, request)))
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

        foreach (var owned in Owned(model, map, instance))
        {
            Collect(model, owned.Map, owned.Instance, members);
        }
    }

    private IEnumerable<PersonalDataItem> Items(DbContext context, PersonalDataCrypto crypto, PersonalDataModelMap model, PersonalDataEntityMap map, object entity, string subjectId, string itemSubject, string entityName, string? recordKey)
    {
        var entry = context.Entry(entity);
        var stored = map.Column is null ? null : crypto.Codec.ReadValues(map, subjectId, (byte[]?)entry.CurrentValues[map.Column], PersonalDataRowCodec.RowOf(entry, map));
        for (var i = 0; i < map.Members.Length; i++)
        {
            var member = map.Members[i];
            var erased = stored is not null && stored[i].Erased;
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

        foreach (var (navigation, ownedMap, instance) in Owned(model, map, entity))
        {
            foreach (var item in Items(context, crypto, model, ownedMap, instance, subjectId, itemSubject, entityName + "." + navigation, recordKey))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<(string Navigation, PersonalDataEntityMap Map, object Instance)> Owned(PersonalDataModelMap model, PersonalDataEntityMap map, object owner)
    {
        foreach (var (navigation, get) in map.OwnedNavigations)
        {
            if (model.Get(navigation.TargetEntityType) is not { } ownedMap)
            {
                continue;
            }

            switch (get(owner))
            {
                case null:
                    break;
                case System.Collections.IEnumerable many when navigation.IsCollection:
                    foreach (var item in many)
                    {
                        yield return (navigation.Name, ownedMap, item);
                    }

                    break;
                case { } one:
                    yield return (navigation.Name, ownedMap, one);
                    break;
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

    private static Task<List<object>> LoadAsync(DbContext context, IEntityType entityType, IProperty subjectProperty, object subjectValue, int skip, bool tracking, CancellationToken cancellationToken)
        => (Task<List<object>>)LoadBatchMethod.MakeGenericMethod(entityType.ClrType, subjectProperty.ClrType)
            .Invoke(null, [context, entityType, subjectProperty.Name, subjectValue, skip, tracking, cancellationToken])!;

    private static async Task<List<object>> LoadBatchAsync<TEntity, TSubject>(DbContext context, IEntityType entityType, string subjectProperty, object subjectValue, int skip, bool tracking, CancellationToken cancellationToken)
        where TEntity : class
    {
        IQueryable<TEntity> query = context.Set<TEntity>();
        if (!tracking)
        {
            query = query.AsNoTracking();
        }

        // The subject goes in as a parameter, never as a SQL literal (it is personal data; SQL may be logged).
        var holder = new SubjectHolder<TSubject>((TSubject)subjectValue);
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var column = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TSubject)], entity, Expression.Constant(subjectProperty));
        var parameter = Expression.Property(Expression.Constant(holder), nameof(SubjectHolder<TSubject>.Value));
        query = query.Where(Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(column, parameter), entity));

        IOrderedQueryable<TEntity>? ordered = null;
        foreach (var key in entityType.FindPrimaryKey()?.Properties ?? [])
        {
            var keyAccess = Expression.Lambda(Expression.Call(typeof(EF), nameof(EF.Property), [key.ClrType], entity, Expression.Constant(key.Name)), entity);
            var method = ordered is null ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy);
            ordered = (IOrderedQueryable<TEntity>)query.Provider.CreateQuery<TEntity>(
                Expression.Call(typeof(Queryable), method, [typeof(TEntity), key.ClrType], (ordered ?? query).Expression, Expression.Quote(keyAccess)));
        }

        var list = await (ordered ?? query).Skip(skip).Take(BatchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return list.ConvertAll(e => (object)e);
    }

    private sealed class SubjectHolder<T>(T value)
    {
        public T Value { get; } = value;
    }
}
