using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.DataSources;

/// <summary>
/// Keyset paging over an entity type's primary key, for every pass the adapter makes over a table (export, erasure,
/// the legacy-plaintext encryption): the database seeks in the key's index instead of counting past earlier rows,
/// and rows a pass deletes or changes never shift the next batch. Every value goes in as a parameter, never as a
/// SQL literal (keys and subject ids may be personal data, and SQL may be logged).
/// </summary>
internal static class KeysetQuery
{
    /// <summary>The next batch in key order: rows after <paramref name="after"/> (all when null), at most <paramref name="take"/>.</summary>
    public static IQueryable<TEntity> Page<TEntity>(IQueryable<TEntity> query, IReadOnlyList<IProperty> keys, object?[]? after, int take)
        where TEntity : class
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        if (after is not null)
        {
            query = query.Where(Expression.Lambda<Func<TEntity, bool>>(After(entity, keys, after), entity));
        }

        IOrderedQueryable<TEntity>? ordered = null;
        foreach (var key in keys)
        {
            var keyAccess = Expression.Lambda(PropertyAccess(entity, key.Name, key.ClrType), entity);
            var method = ordered is null ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy);
            ordered = (IOrderedQueryable<TEntity>)query.Provider.CreateQuery<TEntity>(
                Expression.Call(typeof(Queryable), method, [typeof(TEntity), key.ClrType], (ordered ?? query).Expression, Expression.Quote(keyAccess)));
        }

        return (ordered ?? query).Take(take);
    }

    /// <summary>The primary-key values of a tracked entity, for the next page's <c>after</c>.</summary>
    public static object?[] KeyOf(DbContext context, IEntityType entityType, object entity)
    {
        var entry = context.Entry(entity);
        return [.. (entityType.FindPrimaryKey()?.Properties ?? []).Select(p => entry.Property(p.Name).CurrentValue)];
    }

    /// <summary><c>e =&gt; new object[] { key1, key2, ... }</c>: a page's keys without materializing its rows.</summary>
    public static Expression<Func<TEntity, object?[]>> KeyValues<TEntity>(IReadOnlyList<IProperty> keys)
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        return Expression.Lambda<Func<TEntity, object?[]>>(
            Expression.NewArrayInit(typeof(object), keys.Select(k => Expression.Convert(PropertyAccess(entity, k.Name, k.ClrType), typeof(object)))),
            entity);
    }

    /// <summary><c>e =&gt; e.key1 == value1 &amp;&amp; ...</c>, the values as parameters.</summary>
    public static Expression<Func<TEntity, bool>> HasKey<TEntity>(IReadOnlyList<IProperty> keys, object?[] values)
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var all = keys.Select((k, i) => (Expression)Expression.Equal(PropertyAccess(entity, k.Name, k.ClrType), Parameter(values[i], k.ClrType)))
            .Aggregate(Expression.AndAlso);
        return Expression.Lambda<Func<TEntity, bool>>(all, entity);
    }

    /// <summary><c>EF.Property&lt;T&gt;(e, name)</c>.</summary>
    public static MethodCallExpression PropertyAccess(ParameterExpression entity, string name, Type type)
        => Expression.Call(typeof(EF), nameof(EF.Property), [type], entity, Expression.Constant(name));

    /// <summary>A value as a query parameter (a member of a closure-like holder), never a constant in the SQL.</summary>
    public static MemberExpression Parameter(object? value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(ValueHolder<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(holder), "Value");
    }

    /// <summary>
    /// <c>key &gt; after</c> in the key's order (lexicographic over a composite key):
    /// <c>k1 &gt; a1 OR (k1 = a1 AND (k2 &gt; a2 ...))</c>; strings compare with <see cref="string.Compare(string, string)"/>,
    /// which EF translates to the column's own comparison, the one ORDER BY uses.
    /// </summary>
    private static Expression After(ParameterExpression entity, IReadOnlyList<IProperty> keys, object?[] after)
    {
        Expression? result = null;
        for (var k = keys.Count - 1; k >= 0; k--)
        {
            var access = PropertyAccess(entity, keys[k].Name, keys[k].ClrType);
            var value = Parameter(after[k], keys[k].ClrType);
            var greater = keys[k].ClrType == typeof(string)
                ? Expression.GreaterThan(Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, access, value), Expression.Constant(0))
                : Expression.GreaterThan(access, value);
            result = result is null ? greater : Expression.OrElse(greater, Expression.AndAlso(Expression.Equal(access, value), result));
        }

        return result ?? Expression.Constant(true);
    }

    private sealed class ValueHolder<T>(T value)
    {
        public T Value { get; } = value;
    }
}
