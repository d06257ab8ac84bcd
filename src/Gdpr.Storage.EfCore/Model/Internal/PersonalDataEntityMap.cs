using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>One annotated member of an entity type as the interceptors use it: accessors, entry name, field identity.</summary>
internal sealed class PersonalDataMemberMap
{
    public required string Name { get; init; }

    public required Type MemberType { get; init; }

    public required PersonalDataAttribute Attribute { get; init; }

    /// <summary>The member's name in UTF-8: its entry's name in its scope's record.</summary>
    public required byte[] EntryName { get; init; }

    public required object? ErasedValue { get; init; }

    /// <summary>What a NULL column reads as: null, or the default of a non-nullable value type.</summary>
    public required object? NullValue { get; init; }

    public required Func<object, object?> Get { get; init; }

    public required Action<object, object?> Set { get; init; }

    public string Scope => Attribute.RetentionPolicy;
}

/// <summary>The members of one entity type that share a retention scope, and so one envelope per row (a record).</summary>
internal sealed class PersonalDataRecordMap
{
    public required string Scope { get; init; }

    /// <summary>The scope's name in UTF-8: the record's entry name in the personal-data column.</summary>
    public required byte[] EntryName { get; init; }

    /// <summary>Indexes into <see cref="PersonalDataEntityMap.Members"/>, in member order.</summary>
    public required int[] Members { get; init; }

    /// <summary>"member Email" or "members Email, Name": how integrity errors name what the record holds.</summary>
    public required string MembersText { get; init; }
}

/// <summary>The personal-data view of one entity type of a finalized model.</summary>
internal sealed class PersonalDataEntityMap
{
    public required IEntityType EntityType { get; init; }

    public string Name => EntityType.ClrType.Name;

    public required PersonalDataMemberMap[] Members { get; init; }

    /// <summary>The members grouped by retention scope, one envelope each, in order of their first member.</summary>
    public required PersonalDataRecordMap[] Records { get; init; }

    /// <summary>
    /// The field identity each record's envelope is bound to: the CLR type name (the scope is bound separately).
    /// Members may be added, removed or renamed without breaking it.
    /// </summary>
    public required string RecordFieldId { get; init; }

    /// <summary>The subject-id column (root types); <see langword="null"/> for owned types, which use their owner's.</summary>
    public IProperty? SubjectProperty { get; init; }

    public Func<object, object?>? GetSubject { get; init; }

    /// <summary>The ownership of an owned type, whose principal supplies the subject.</summary>
    public IForeignKey? Ownership { get; init; }

    /// <summary>Navigations to owned types that hold personal data (directly or further down).</summary>
    public required (INavigation Navigation, Func<object, object?> Get)[] OwnedNavigations { get; init; }

    public required IProperty[] KeyProperties { get; init; }

    /// <summary>The personal-data column (<see cref="Columns.PersonalDataColumn"/>); <see langword="null"/> when the type has no members of its own.</summary>
    public IProperty? Column { get; init; }

    /// <summary>The entity type's blind indexes (root types only).</summary>
    public BlindIndexMap[] BlindIndexes { get; init; } = [];

    /// <summary>Whether the primary key includes the subject id, which then must not appear in messages.</summary>
    public bool KeyIsPersonal { get; init; }

    /// <summary>
    /// The columns read for decryption, in this order: the subject (the subject-id column, or the ownership
    /// foreign key of an owned type), the primary key, then the personal-data column (when there are members).
    /// </summary>
    public required IProperty[] ReadProperties { get; init; }

    public int SubjectCount => SubjectProperty is null ? Ownership!.Properties.Count : 1;

    /// <summary>Where the personal-data column is in a row of <see cref="ReadProperties"/>.</summary>
    public int ColumnOffset => SubjectCount + KeyProperties.Length;

    /// <summary>The index in <see cref="Records"/> of each member's record, in <see cref="Members"/> order.</summary>
    public int[] RecordOfMember => field ??= BuildRecordOfMember();

    /// <summary>
    /// The owned instances <paramref name="owner"/> holds directly that carry personal data (one level; callers recurse
    /// through the returned map): the one walk of owned navigations that the save, the export and the erasure share.
    /// </summary>
    public IEnumerable<(INavigation Navigation, PersonalDataEntityMap Map, object Instance)> OwnedInstances(PersonalDataModelMap model, object owner)
    {
        foreach (var (navigation, get) in OwnedNavigations)
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
                        yield return (navigation, ownedMap, item);
                    }

                    break;
                case { } one:
                    yield return (navigation, ownedMap, one);
                    break;
            }
        }
    }

    private int[] BuildRecordOfMember()
    {
        var records = new int[Members.Length];
        for (var r = 0; r < Records.Length; r++)
        {
            foreach (var i in Records[r].Members)
            {
                records[i] = r;
            }
        }

        return records;
    }
}

/// <summary>Caches the personal-data view of a finalized model.</summary>
internal sealed class PersonalDataModelMap
{
    private static readonly ConditionalWeakTable<IModel, PersonalDataModelMap> Maps = new();
    private readonly ConcurrentDictionary<IEntityType, PersonalDataEntityMap?> _entities = new();
    private readonly IModel _model;

    private PersonalDataModelMap(IModel model)
    {
        _model = model;

        // Built eagerly so that a model the step never ran on fails on first use, before any plaintext is written.
        foreach (var entityType in model.GetEntityTypes())
        {
            _ = Get(entityType);
        }

        // A subject's rows are queried from the hierarchy root when it carries the subject id (derived rows come with it).
        QueryRoots = model.GetEntityTypes()
            .Where(t => !t.IsOwned() && Get(t) is { SubjectProperty: not null })
            .Select(t =>
            {
                var subject = Get(t)!.SubjectProperty!;
                var root = t.GetRootType();
                return root.FindProperty(subject.Name) is { } rootSubject ? (root, rootSubject) : (t, subject);
            })
            .DistinctBy(q => q.Item1)
            .ToArray();
        HasPersonalData = _entities.Values.Any(m => m is not null);
    }

    public bool HasPersonalData { get; }

    /// <summary>The entity types a subject's rows are queried from (hierarchy roots that carry the subject id).</summary>
    public (IEntityType EntityType, IProperty SubjectProperty)[] QueryRoots { get; }

    public static PersonalDataModelMap For(IModel model) => Maps.GetValue(model, m => new PersonalDataModelMap(m));

    public PersonalDataEntityMap? Get(IEntityType entityType) => _entities.GetOrAdd(entityType, Build);

    public PersonalDataEntityMap? Find(Type clrType) => _model.FindEntityType(clrType) is { } t ? Get(t) : null;

    private PersonalDataEntityMap? Build(IEntityType entityType)
    {
        if (entityType.HasSharedClrType || entityType.ClrType == typeof(Dictionary<string, object>))
        {
            return null;
        }

        var name = entityType.ClrType.Name;
        var members = new List<PersonalDataMemberMap>();
        var encrypted = entityType.GetAllBaseTypesInclusive()
            .SelectMany(t => t.FindAnnotation(PersonalDataMembers.EncryptedMembersAnnotation)?.Value as string[] ?? [])
            .ToHashSet(StringComparer.Ordinal);
        var column = entityType.FindProperty(PersonalDataMembers.ColumnProperty);
        foreach (var (member, attribute) in PersonalDataMembers.GetPersonalData(entityType.ClrType))
        {
            if (entityType.FindProperty(member.Name) is not null)
            {
                // Fail closed: the column would receive plaintext.
                throw new PersonalDataModelException(name, member.Name, "is mapped as a plaintext column: the model was built without the Gdpr model step (call UseGdpr on the DbContext options; compiled models are not supported).");
            }

            if (!encrypted.Contains(member.Name) || column is null)
            {
                continue; // Not mapped ([NotMapped] or ignored): nothing of it is stored.
            }

            var memberType = PersonalDataMembers.GetMemberType(member);
            members.Add(new PersonalDataMemberMap
            {
                Name = member.Name,
                MemberType = memberType,
                Attribute = attribute,
                EntryName = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(member.Name),
                ErasedValue = PersonalDataMembers.GetErasedValue(name, member.Name, memberType, attribute.Replacement),
                NullValue = memberType.IsValueType && Nullable.GetUnderlyingType(memberType) is null ? Activator.CreateInstance(memberType) : null,
                Get = CompileGetter(member),
                Set = CompileSetter(member),
            });
        }

        var owned = entityType.GetNavigations()
            .Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && HoldsPersonalData(n.TargetEntityType))
            .Select(n => (n, CompileGetter(n.PropertyInfo ?? (MemberInfo?)n.FieldInfo ?? throw new PersonalDataModelException(name, n.Name, "an owned navigation to personal data must be a CLR member."))))
            .ToArray();

        if (members.Count == 0 && owned.Length == 0)
        {
            return null;
        }

        var ownership = entityType.FindOwnership();
        IProperty? subjectProperty = null;
        Func<object, object?>? getSubject = null;
        if (ownership is null)
        {
            var (member, property) = PersonalDataMembers.RequireSubject(entityType.ClrType, entityType.FindProperty);
            subjectProperty = property;
            getSubject = CompileGetter(member);
        }

        var key = entityType.FindPrimaryKey()?.Properties.ToArray() ?? [];
        IProperty[] subjectColumns = subjectProperty is null ? [.. ownership!.Properties] : [subjectProperty];
        return new PersonalDataEntityMap
        {
            EntityType = entityType,
            Members = [.. members],
            Records = [.. members.Select((m, i) => (m, i)).GroupBy(x => x.m.Scope, StringComparer.Ordinal).Select(g => new PersonalDataRecordMap
            {
                Scope = g.Key,
                EntryName = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(g.Key),
                Members = [.. g.Select(x => x.i)],
                MembersText = (g.Count() == 1 ? "member " : "members ") + string.Join(", ", g.Select(x => x.m.Name)),
            })],
            RecordFieldId = name,
            SubjectProperty = subjectProperty,
            GetSubject = getSubject,
            Ownership = ownership,
            OwnedNavigations = owned,
            KeyProperties = key,
            Column = members.Count > 0 ? column : null,
            KeyIsPersonal = subjectProperty is not null && key.Contains(subjectProperty),
            BlindIndexes = BlindIndexModel.Build(entityType, members),
            ReadProperties = [.. subjectColumns, .. key, .. (members.Count > 0 ? [column!] : Array.Empty<IProperty>())],
        };
    }

    private static bool HoldsPersonalData(IEntityType entityType)
        => PersonalDataMembers.GetPersonalData(entityType.ClrType).Any()
           || entityType.GetNavigations().Any(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && HoldsPersonalData(n.TargetEntityType));

    private static Func<object, object?> CompileGetter(MemberInfo member)
    {
        var instance = Expression.Parameter(typeof(object), "entity");
        var access = Expression.MakeMemberAccess(Expression.Convert(instance, member.DeclaringType!), member);
        return Expression.Lambda<Func<object, object?>>(Expression.Convert(access, typeof(object)), instance).Compile();
    }

    private static Action<object, object?> CompileSetter(MemberInfo member)
    {
        var instance = Expression.Parameter(typeof(object), "entity");
        var value = Expression.Parameter(typeof(object), "value");
        var type = PersonalDataMembers.GetMemberType(member);
        var target = Expression.MakeMemberAccess(Expression.Convert(instance, member.DeclaringType!), member);
        return Expression.Lambda<Action<object, object?>>(Expression.Assign(target, Expression.Convert(value, type)), instance, value).Compile();
    }
}
