using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>
/// The model step: finds every entity type (owned types included) with <see cref="PersonalDataAttribute"/> members,
/// validates it, and moves each annotated member into the row's personal-data column, a binary shadow column that
/// holds the envelopes of all of them (<see cref="Columns.PersonalDataColumn"/>).
/// </summary>
/// <remarks>
/// The CLR member itself becomes unmapped: the application's object always holds plaintext, the column only ever
/// envelopes. Because the member is unmapped, EF cannot translate it into SQL (no filtering or ordering on
/// encrypted values), and a projection of it makes EF materialize the whole entity, which is then decrypted.
/// </remarks>
internal static class PersonalDataModel
{
    public static void Apply(IMutableModel model)
    {
        var annotatedTypes = new List<IMutableEntityType>();
        foreach (var entityType in model.GetEntityTypes().ToList())
        {
            if (entityType.HasSharedClrType || entityType.IsPropertyBag)
            {
                continue;
            }

            if (PersonalDataMembers.GetPersonalData(entityType.ClrType).Any())
            {
                annotatedTypes.Add(entityType);
            }
            else
            {
                BlindIndexModel.Apply(entityType); // refuses an index declared on a type with no [PersonalData] member
            }
        }

        foreach (var entityType in annotatedTypes)
        {
            ValidateSubject(entityType);
            foreach (var (member, attribute) in PersonalDataMembers.GetPersonalData(entityType.ClrType))
            {
                MapMember(entityType, member.Name, member, attribute);
            }

            BlindIndexModel.Apply(entityType);
        }
    }

    /// <summary>The subject comes from exactly one [DataSubjectId] member of the type, or of its owner for owned types.</summary>
    private static void ValidateSubject(IMutableEntityType entityType)
    {
        var ownership = entityType.FindOwnership();
        if (ownership is not null)
        {
            var subjects = PersonalDataMembers.GetSubjectIds(entityType.ClrType);
            if (subjects.Count > 0)
            {
                throw new PersonalDataModelException(entityType.ClrType.Name, subjects[0].Name, "an owned type takes its data subject from its owner; remove [DataSubjectId].");
            }

            ValidateSubject(ownership.PrincipalEntityType);
            return;
        }

        _ = PersonalDataMembers.RequireSubject(entityType.ClrType, entityType.FindProperty);
    }

    private static void MapMember(IMutableEntityType entityType, string memberName, System.Reflection.MemberInfo member, PersonalDataAttribute attribute)
    {
        var name = entityType.ClrType.Name;
        var property = entityType.FindProperty(memberName);
        if (property is null)
        {
            if (entityType.FindNavigation(memberName) is not null || entityType.FindSkipNavigation(memberName) is not null)
            {
                throw new PersonalDataModelException(name, memberName, "a navigation cannot be [PersonalData]; annotate the members of the related type.");
            }

            return; // Not mapped ([NotMapped] or ignored): nothing of it is stored.
        }

        if (property.DeclaringType != entityType)
        {
            return; // Declared on a base entity type, which maps it.
        }

        if (property.IsPrimaryKey() || property.IsKey())
        {
            throw new PersonalDataModelException(name, memberName, "a key cannot be [PersonalData]: keys are compared in SQL and would leak through indexes.");
        }

        if (property.IsForeignKey())
        {
            throw new PersonalDataModelException(name, memberName, "a foreign key cannot be [PersonalData]: relationships are joined in SQL on plaintext.");
        }

        if (property.IsIndex())
        {
            throw new PersonalDataModelException(name, memberName, "an indexed member cannot be [PersonalData]: encrypted values cannot be searched.");
        }

        var memberType = PersonalDataMembers.GetMemberType(member);
        if (!PersonalDataMembers.IsSupported(memberType))
        {
            throw new PersonalDataModelException(name, memberName, $"members of type {memberType.Name} cannot be encrypted; use string, byte[], an integer, decimal, bool, DateTime, DateTimeOffset, DateOnly, Guid or an enum.");
        }

        if (!PersonalDataMembers.IsWritable(member))
        {
            throw new PersonalDataModelException(name, memberName, "the member needs a setter (any accessibility) so that decrypted values can be put back.");
        }

        if (string.IsNullOrWhiteSpace(attribute.RetentionPolicy) || attribute.RetentionPolicy.Contains('\0', StringComparison.Ordinal))
        {
            throw new PersonalDataModelException(name, memberName, "the RetentionPolicy (the key scope) must be a non-empty name.");
        }

        _ = PersonalDataMembers.GetErasedValue(name, memberName, memberType, attribute.Replacement);

        var legacy = entityType.GetRootType().FindAnnotation(PersonalDataMembers.LegacyColumnsAnnotation)?.Value is true
            ? (Column: property.GetColumnName(), Type: property.GetColumnType(), MaxLength: property.GetMaxLength(), Precision: property.GetPrecision(), Scale: property.GetScale())
            : default;
        entityType.RemoveProperty(property);
        entityType.AddIgnored(memberName);
        if (legacy.Column is not null)
        {
            if (entityType.FindOwnership() is not null)
            {
                throw new PersonalDataModelException(name, memberName, "legacy plaintext columns are supported on root entity types only, not on owned types.");
            }

            // The old column, nullable now so the encryption pass can empty it; nothing of the application maps it.
            var old = entityType.AddProperty(memberName + PersonalDataMembers.LegacySuffix, PersonalDataMembers.NullableOf(memberType));
            old.IsNullable = true;
            old.SetColumnName(legacy.Column);
            old.SetColumnType(legacy.Type);
            old.SetMaxLength(legacy.MaxLength);
            old.SetPrecision(legacy.Precision);
            old.SetScale(legacy.Scale);
        }
        var mapped = entityType.FindAnnotation(PersonalDataMembers.EncryptedMembersAnnotation)?.Value as string[] ?? [];
        entityType.SetAnnotation(PersonalDataMembers.EncryptedMembersAnnotation, (string[])[.. mapped, memberName]);

        // One column for the whole hierarchy, on its root, so that a table-per-hierarchy table has one however many
        // derived types add members. Nullable: a row whose members are all null stores NULL, and an optional owned
        // type's columns must all be nullable.
        var root = entityType.GetRootType();
        if (root.FindProperty(PersonalDataMembers.ColumnProperty) is null)
        {
            var column = root.AddProperty(PersonalDataMembers.ColumnProperty, typeof(byte[]));
            column.IsNullable = true;
            column.SetColumnName(ColumnName(root));
        }
    }

    /// <summary>
    /// Every entity type stored in a table gets a column of its own there, never one another type writes too: an
    /// owned type in its owner's table is prefixed the way EF prefixes owned columns (<c>Address_PersonalData$gdpr</c>),
    /// and an entity type sharing its table with another hierarchy (table splitting) by its name
    /// (<c>CustomerDetails_PersonalData$gdpr</c>).
    /// </summary>
    private static string ColumnName(IMutableEntityType entityType)
    {
        var ownership = entityType.FindOwnership();
        if (ownership is null)
        {
            var splits = entityType.Model.GetEntityTypes().Any(other =>
                other.BaseType is null && other != entityType && other.FindOwnership() is null
                && other.GetTableName() is { } table && table == entityType.GetTableName() && other.GetSchema() == entityType.GetSchema());
            return splits ? entityType.ShortName() + "_" + PersonalDataMembers.ColumnProperty : PersonalDataMembers.ColumnProperty;
        }

        if (entityType.GetTableName() != ownership.PrincipalEntityType.GetTableName())
        {
            return PersonalDataMembers.ColumnProperty;
        }

        var owner = ColumnName(ownership.PrincipalEntityType);
        var prefix = owner[..^PersonalDataMembers.ColumnProperty.Length];
        return prefix + ownership.PrincipalToDependent!.Name + "_" + PersonalDataMembers.ColumnProperty;
    }
}
