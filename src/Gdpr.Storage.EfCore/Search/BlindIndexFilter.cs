using Gdpr.Search;
using Gdpr.Storage.EfCore.Model;

namespace Gdpr.Storage.EfCore;

/// <summary>
/// A lookup by a blind index, ready to use in a query: the index values to filter on in SQL (one per live epoch) and
/// the normalized input that a candidate's decrypted members must equal. Created by
/// <see cref="BlindIndexQueryExtensions.CreateBlindIndexFilterAsync{TEntity}(Microsoft.EntityFrameworkCore.DbContext, string, IReadOnlyList{string?}, CancellationToken)"/>;
/// holds no plaintext but the normalized input, so keep it only as long as the lookup.
/// </summary>
/// <typeparam name="TEntity">The entity type searched.</typeparam>
public sealed class BlindIndexFilter<TEntity>
    where TEntity : class
{
    private readonly BlindIndexMap _index;
    private readonly PersonalDataEntityMap _map;
    private readonly string?[] _normalized;
    private readonly string _defaultPhoneRegion;

    internal BlindIndexFilter(PersonalDataEntityMap map, BlindIndexMap index, string?[] normalized, long[] storedValues, string defaultPhoneRegion)
    {
        _map = map;
        _index = index;
        _normalized = normalized;
        StoredValues = storedValues;
        _defaultPhoneRegion = defaultPhoneRegion;
    }

    /// <summary>Gets the index's name.</summary>
    public string IndexName => _index.Definition.Name;

    internal string PropertyName => _index.Property.Name;

    /// <summary>The stored index values a candidate may have: one per live epoch; none when the input has no index value.</summary>
    internal long[] StoredValues { get; }

    /// <summary>Whether a (decrypted) entity's indexed members equal the searched input after normalization.</summary>
    /// <param name="entity">A candidate read through the adapter.</param>
    /// <returns><see langword="true"/> for an exact match; <see langword="false"/> for a false candidate or an erased value.</returns>
    public bool Matches(TEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (StoredValues.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < _index.Members.Length; i++)
        {
            var value = _map.Members[_index.Members[i]].Get(entity) as string;
            if (!string.Equals(BlindIndexNormalizer.Normalize(_index.Definition.Normalizations[i], value, _defaultPhoneRegion), _normalized[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
