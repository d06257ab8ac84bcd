using System.Reflection;
using Gdpr.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>One blind index of an entity type as the save and the query use it.</summary>
/// <param name="Definition">The index: name, members, normalizations, bits.</param>
/// <param name="Property">The index column, a nullable 64-bit integer: the epoch in the high 32 bits, the index value in the low.</param>
/// <param name="Members">Indexes into <see cref="PersonalDataEntityMap.Members"/>, in the index's member order.</param>
internal sealed record BlindIndexMap(BlindIndexDefinition Definition, IProperty Property, int[] Members)
{
    /// <summary>The stored form: epoch and value in one integer, so that one column (and one database index) holds both.</summary>
    public static long Stored(int epoch, long value) => ((long)epoch << 32) | value;

    /// <summary>
    /// Whether a member of this index holds an erased value (its record read as erased) that nothing has replaced
    /// since: an index of the erased value (null, or its replacement text) would link every erased row.
    /// </summary>
    public bool HasErasedMember(PersonalDataEntityMap map, object entity, bool[]? changed = null)
    {
        if (Gdpr.Storage.EfCore.Interceptors.ErasedAtRead.ErasedRecords(entity) is not { } erased)
        {
            return false;
        }

        var records = map.RecordOfMember;
        return Members.Any(i => (changed is null || !changed[i]) && records[i] < erased.Length && erased[records[i]] != 0);
    }

    /// <summary>
    /// Empties the index columns of an erased row whose index covers a member of a destroyed scope, so that no index
    /// value links the subject's remaining rows. An index over retained members only is kept: those values are still
    /// readable for the purpose they are kept for, and still searchable for it (docs/search.md).
    /// </summary>
    public static void Clear(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry, PersonalDataEntityMap map, IReadOnlySet<string> destroyedScopes)
    {
        foreach (var index in map.BlindIndexes)
        {
            if (index.Members.Any(i => destroyedScopes.Contains(map.Members[i].Scope)))
            {
                entry.CurrentValues[index.Property] = null;
            }
        }
    }
}

/// <summary>
/// The model step of <see cref="BlindIndexAttribute"/>: validates each declared index and gives it a column of its own
/// (<c>phone$bidx</c>) with a database index, beside the personal-data column.
/// </summary>
internal static class BlindIndexModel
{
    public const string PropertySuffix = "$bidx";

    /// <summary>Adds the index columns of one entity type whose annotated members are already mapped.</summary>
    public static void Apply(IMutableEntityType entityType)
    {
        var declared = Declared(entityType.ClrType).ToList();
        if (declared.Count == 0)
        {
            return;
        }

        var name = entityType.ClrType.Name;
        if (entityType.FindOwnership() is not null || entityType.BaseType is not null)
        {
            throw new PersonalDataModelException(name, declared[0].Member.Name, "blind indexes are supported on root entity types only, not on owned or derived types.");
        }

        foreach (var index in Definitions(entityType.ClrType))
        {
            var property = entityType.AddProperty(index.Name + PropertySuffix, typeof(long?));
            property.IsNullable = true;
            property.SetColumnName(index.Name + PropertySuffix);
            entityType.AddIndex(property);
        }
    }

    /// <summary>The maps of an entity type's indexes, for a finalized model.</summary>
    public static BlindIndexMap[] Build(IEntityType entityType, IReadOnlyList<PersonalDataMemberMap> members)
    {
        if (entityType.FindOwnership() is not null)
        {
            return [];
        }

        // Declared on the hierarchy's root; a derived type's rows carry the root's index columns and members too.
        return [.. Definitions(entityType.GetRootType().ClrType).Select(index => new BlindIndexMap(
            index,
            entityType.FindProperty(index.Name + PropertySuffix) ?? throw new PersonalDataModelException(entityType.ClrType.Name, null, $"the column of blind index '{index.Name}' is missing: the model was built without the Gdpr model step."),
            [.. index.Members.Select(m => members.Select((x, i) => (x, i)).First(x => x.x.Name == m).i)]))];
    }

    /// <summary>The declared indexes of a CLR type, validated, with their planned bits.</summary>
    private static List<BlindIndexDefinition> Definitions(Type clrType)
    {
        var name = clrType.Name;
        var personal = PersonalDataMembers.GetPersonalData(clrType).ToDictionary(p => p.Member.Name, p => p, StringComparer.Ordinal);
        var result = new List<BlindIndexDefinition>();
        var bitsOfMember = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in Declared(clrType).GroupBy(d => d.Attribute.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var parts = group.OrderBy(d => d.Attribute.Order).ToList();
            foreach (var (member, attribute) in parts)
            {
                if (!personal.TryGetValue(member.Name, out var annotated))
                {
                    throw new PersonalDataModelException(name, member.Name, $"blind index '{attribute.Name}' is on a member that is not [PersonalData]; an index of plaintext columns is an ordinary database index.");
                }

                if (PersonalDataMembers.GetMemberType(annotated.Member) != typeof(string))
                {
                    throw new PersonalDataModelException(name, member.Name, $"blind index '{attribute.Name}' needs a string member.");
                }
            }

            if (parts.Select(p => p.Attribute.Order).Distinct().Count() != parts.Count || parts.Select(p => p.Member.Name).Distinct().Count() != parts.Count)
            {
                throw new PersonalDataModelException(name, parts[0].Member.Name, $"the members of blind index '{group.Key}' need distinct Order values and appear once each.");
            }

            var rows = parts.Max(p => p.Attribute.ExpectedRows) is > 0 and var declaredRows ? declaredRows : BlindIndexPlanner.DefaultExpectedRows;
            var others = parts.Max(p => bitsOfMember.GetValueOrDefault(p.Member.Name));
            int bits;
            try
            {
                bits = BlindIndexPlanner.PlanBits(rows, others);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new PersonalDataModelException(name, parts[0].Member.Name, $"blind index '{group.Key}' cannot be planned: {ex.Message.Split(" (Parameter")[0]}");
            }

            foreach (var part in parts)
            {
                bitsOfMember[part.Member.Name] = bitsOfMember.GetValueOrDefault(part.Member.Name) + bits;
            }

            result.Add(new BlindIndexDefinition(name, group.Key, [.. parts.Select(p => p.Member.Name)], [.. parts.Select(p => p.Attribute.Normalization)], bits));
        }

        return result;
    }

    private static IEnumerable<(MemberInfo Member, BlindIndexAttribute Attribute)> Declared(Type clrType)
        => clrType.GetMembers(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m is PropertyInfo or FieldInfo)
            .SelectMany(m => m.GetCustomAttributes<BlindIndexAttribute>().Select(a => (m, a)));
}
