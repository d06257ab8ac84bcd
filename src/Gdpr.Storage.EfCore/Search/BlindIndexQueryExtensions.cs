using System.Linq.Expressions;
using Gdpr.Search;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore;

/// <summary>
/// Finds entities by a <see cref="BlindIndexAttribute"/> index: the database filters on the index column, the adapter
/// decrypts the candidates, and only exact matches are kept (docs/search.md).
/// </summary>
/// <example>
/// <code>
/// var byPhone = await db.CreateBlindIndexFilterAsync&lt;Customer&gt;(c =&gt; c.Phone, "020 123 4567");
/// var callers = await db.Customers.AsNoTracking().Where(c =&gt; c.Active).ToListMatchingAsync(byPhone);
/// </code>
/// </example>
public static class BlindIndexQueryExtensions
{
    /// <summary>Prepares a lookup by the index over exactly <paramref name="member"/>.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="context">A context set up with <c>UseGdpr</c>.</param>
    /// <param name="member">The indexed member, for example <c>c =&gt; c.Phone</c>.</param>
    /// <param name="value">The value searched for, in any notation the index's normalization accepts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="PersonalDataModelException">No index, or more than one, covers exactly that member.</exception>
    public static ValueTask<BlindIndexFilter<TEntity>> CreateBlindIndexFilterAsync<TEntity>(this DbContext context, Expression<Func<TEntity, string?>> member, string? value, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(member);
        var name = member.Body is MemberExpression { Member: var m } ? m.Name : throw new ArgumentException("The member must be a property or field access, such as c => c.Phone.", nameof(member));
        var map = MapOf<TEntity>(context);
        var indexes = map.BlindIndexes.Where(i => i.Definition.Members is [var only] && only == name).ToList();
        if (indexes.Count != 1)
        {
            throw new PersonalDataModelException(map.Name, name, indexes.Count == 0
                ? "no blind index covers exactly this member; declare [BlindIndex] on it."
                : "several blind indexes cover this member; name the one to use.");
        }

        return CreateAsync<TEntity>(context, map, indexes[0], [value], cancellationToken);
    }

    /// <summary>Prepares a lookup by the index named <paramref name="indexName"/>.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="context">A context set up with <c>UseGdpr</c>.</param>
    /// <param name="indexName">The index's name, as declared.</param>
    /// <param name="values">The values searched for, one per member of the index, in its <see cref="BlindIndexAttribute.Order"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="PersonalDataModelException">The entity type has no index of that name, or the values do not fit its members.</exception>
    public static ValueTask<BlindIndexFilter<TEntity>> CreateBlindIndexFilterAsync<TEntity>(this DbContext context, string indexName, IReadOnlyList<string?> values, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(values);
        var map = MapOf<TEntity>(context);
        var index = map.BlindIndexes.FirstOrDefault(i => i.Definition.Name == indexName)
            ?? throw new PersonalDataModelException(map.Name, null, $"has no blind index named '{indexName}'.");
        if (values.Count != index.Members.Length)
        {
            throw new PersonalDataModelException(map.Name, null, $"blind index '{indexName}' has {index.Members.Length} members; {values.Count} values were given.");
        }

        return CreateAsync<TEntity>(context, map, index, values, cancellationToken);
    }

    /// <summary>Keeps the rows whose index column holds one of the filter's values: the candidates, false ones included.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="source">The query, with any other conditions.</param>
    /// <param name="filter">The lookup.</param>
    /// <returns>The query of candidates; check each with <see cref="BlindIndexFilter{TEntity}.Matches"/>.</returns>
    public static IQueryable<TEntity> WhereBlindIndex<TEntity>(this IQueryable<TEntity> source, BlindIndexFilter<TEntity> filter)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(filter);
        var values = filter.StoredValues.Select(v => (long?)v).ToList();
        var name = filter.PropertyName;
        return source.Where(e => values.Contains(EF.Property<long?>(e, name)));
    }

    /// <summary>Runs the query over the candidates and returns the exact matches only.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="source">The query, with any other conditions (page the result, not the query: false candidates are removed after it runs).</param>
    /// <param name="filter">The lookup.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The matching entities.</returns>
    public static async Task<List<TEntity>> ToListMatchingAsync<TEntity>(this IQueryable<TEntity> source, BlindIndexFilter<TEntity> filter, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        var candidates = await source.WhereBlindIndex(filter).ToListAsync(cancellationToken).ConfigureAwait(false);
        return candidates.FindAll(filter.Matches);
    }

    private static PersonalDataEntityMap MapOf<TEntity>(DbContext context)
    {
        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new PersonalDataModelException(typeof(TEntity).Name, null, "is not an entity type of this context.");
        return PersonalDataModelMap.For(context.Model).Get(entityType) is { BlindIndexes.Length: > 0 } map
            ? map
            : throw new PersonalDataModelException(typeof(TEntity).Name, null, "declares no blind index.");
    }

    private static async ValueTask<BlindIndexFilter<TEntity>> CreateAsync<TEntity>(DbContext context, PersonalDataEntityMap map, BlindIndexMap index, IReadOnlyList<string?> values, CancellationToken cancellationToken)
        where TEntity : class
    {
        var crypto = DecryptingBindingInterceptor.CryptoFor(context);
        var ring = crypto.BlindIndexes ?? throw new InvalidOperationException("Blind indexes need the engine's registrations (AddGdpr).");
        var region = ring.DefaultPhoneRegion;
        var normalized = new string?[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            normalized[i] = BlindIndexNormalizer.Normalize(index.Definition.Normalizations[i], values[i], region);
        }

        var stored = new List<long>();
        if (normalized.All(n => n is not null))
        {
            foreach (var (epoch, hasher) in await ring.GetAsync(forWriting: false, cancellationToken).ConfigureAwait(false))
            {
                if (hasher.Compute(index.Definition, values) is { } value)
                {
                    stored.Add(BlindIndexMap.Stored(epoch, value));
                }
            }
        }

        return new BlindIndexFilter<TEntity>(map, index, normalized, [.. stored], region);
    }
}
