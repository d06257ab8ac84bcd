using System.Globalization;
using System.Reflection;
using Gdpr.Encryption;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>Reflection over the CLR side of an entity: its annotated members and its subject-id member.</summary>
internal static class PersonalDataMembers
{
    /// <summary>
    /// The shadow property (and column) that holds the envelopes of a row's annotated members
    /// (<see cref="Columns.PersonalDataColumn"/>). The <c>$</c> keeps it apart from any CLR member's name.
    /// </summary>
    public const string ColumnProperty = "PersonalData$gdpr";

    /// <summary>The entity-type annotation listing the members the model step moved into <see cref="ColumnProperty"/>.</summary>
    public const string EncryptedMembersAnnotation = "Gdpr:EncryptedMembers";

    /// <summary>The entity-type annotation set by <c>HasLegacyPlaintextColumns</c>: keep the annotated members' old plaintext columns.</summary>
    public const string LegacyColumnsAnnotation = "Gdpr:LegacyPlaintextColumns";

    /// <summary>The suffix of the shadow property that maps an annotated member's old plaintext column (<c>Phone$legacy</c>).</summary>
    public const string LegacySuffix = "$legacy";

    private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>Every instance property and field of the type and its bases, most derived first, overrides once.</summary>
    public static IEnumerable<MemberInfo> GetMembers(Type type)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var member in t.GetProperties(Declared).Cast<MemberInfo>().Concat(t.GetFields(Declared)))
            {
                if (seen.Add(member.Name))
                {
                    yield return member;
                }
            }
        }
    }

    public static IEnumerable<(MemberInfo Member, PersonalDataAttribute Attribute)> GetPersonalData(Type type)
    {
        foreach (var member in GetMembers(type))
        {
            if (ReadAttribute(type, member) is { } attribute)
            {
                yield return (member, attribute);
            }
        }
    }

    /// <summary>The member's attribute; a malformed category (<c>[PersonalData("e-mail")]</c>) is an error naming type and member.</summary>
    private static PersonalDataAttribute? ReadAttribute(Type type, MemberInfo member)
    {
        try
        {
            return member.GetCustomAttribute<PersonalDataAttribute>(inherit: true);
        }
        catch (Exception ex) when ((ex as ArgumentException ?? ex.InnerException as ArgumentException) is { ParamName: "categoryId" } invalid)
        {
            // The attribute's constructor cannot know where it sits; here the type and member are known.
            throw new PersonalDataModelException(type.Name, member.Name, invalid.Message.Replace($" (Parameter '{invalid.ParamName}')", string.Empty, StringComparison.Ordinal));
        }
    }

    public static List<MemberInfo> GetSubjectIds(Type type)
        => GetMembers(type).Where(m => m.IsDefined(typeof(DataSubjectIdAttribute), inherit: true)).ToList();

    /// <summary>
    /// The data-subject id of a root entity type with personal data, validated: exactly one
    /// <see cref="DataSubjectIdAttribute"/> member, not itself <see cref="PersonalDataAttribute"/>, mapped as a column.
    /// The one place these rules live: the model step applies them, and the model map applies them again to a model
    /// the step never ran on.
    /// </summary>
    /// <exception cref="PersonalDataModelException">A rule is broken; the message names the type and member.</exception>
    public static (MemberInfo Member, TProperty Property) RequireSubject<TProperty>(Type clrType, Func<string, TProperty?> findProperty)
        where TProperty : class
    {
        var name = clrType.Name;
        var subjects = GetSubjectIds(clrType);
        if (subjects.Count != 1)
        {
            throw new PersonalDataModelException(
                name,
                subjects.Count == 0 ? null : string.Join(", ", subjects.Select(s => s.Name)),
                $"a type with [PersonalData] members needs exactly one [DataSubjectId] member; it has {subjects.Count}.");
        }

        var subject = subjects[0];
        if (subject.IsDefined(typeof(PersonalDataAttribute), inherit: true))
        {
            throw new PersonalDataModelException(name, subject.Name, "the [DataSubjectId] member is the lookup key and cannot also be [PersonalData].");
        }

        return (subject, findProperty(subject.Name)
            ?? throw new PersonalDataModelException(name, subject.Name, "the [DataSubjectId] member must be a mapped column (it is how a subject's rows are found)."));
    }

    /// <summary>The type itself for reference and nullable types, its nullable form for other value types.</summary>
    public static Type NullableOf(Type type)
        => type.IsValueType && System.Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;

    public static Type GetMemberType(MemberInfo member)
        => member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;

    public static bool IsWritable(MemberInfo member)
        => member is PropertyInfo p ? p.SetMethod is not null : !((FieldInfo)member).IsInitOnly;

    /// <summary>
    /// What an erased value of <paramref name="memberType"/> reads as: the attribute's replacement converted to the
    /// member type, or the type's default.
    /// </summary>
    /// <exception cref="PersonalDataModelException">The replacement cannot be converted.</exception>
    public static object? GetErasedValue(string entity, string member, Type memberType, object? replacement)
    {
        var type = Nullable.GetUnderlyingType(memberType) ?? memberType;
        if (replacement is null)
        {
            return memberType.IsValueType && Nullable.GetUnderlyingType(memberType) is null ? Activator.CreateInstance(memberType) : null;
        }

        if (type.IsInstanceOfType(replacement))
        {
            return replacement;
        }

        try
        {
            if (type.IsEnum)
            {
                return replacement is string name ? Enum.Parse(type, name) : Enum.ToObject(type, replacement);
            }

            if (type == typeof(Guid) && replacement is string g)
            {
                return Guid.Parse(g, CultureInfo.InvariantCulture);
            }

            if (type == typeof(DateOnly) && replacement is string d)
            {
                return DateOnly.Parse(d, CultureInfo.InvariantCulture);
            }

            if (type == typeof(DateTimeOffset) && replacement is string o)
            {
                return DateTimeOffset.Parse(o, CultureInfo.InvariantCulture);
            }

            return Convert.ChangeType(replacement, type, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new PersonalDataModelException(entity, member, $"the Replacement value cannot be converted to {type.Name}.");
        }
    }

    /// <summary>The subject id as the text the key hierarchy works with.</summary>
    /// <summary>The subject id as the engine knows it: the one text form of a subject member's value, used by save, read, export and erasure alike.</summary>
    public static string? ToSubjectText(object? value) => value switch
    {
        null => null,
        string s => s,
        Guid g => g.ToString("D"),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary><see cref="ToSubjectText(object?)"/> without boxing a string (the compiled materializer's call).</summary>
    public static string? ToSubjectText<T>(T value) => value is string text ? text : ToSubjectText((object?)value);

    public static bool IsSupported(Type memberType) => PersonalDataValueCodec.IsSupported(memberType);
}
