using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Remembers, per DbContext, the subject of each materialized owner of personal-data owned types, by the owner's key.
/// EF materializes an owner before its owned instances, and an owned instance carries its owner's key (the
/// ownership foreign key), so its subject can be found without a navigation back to the owner.
/// </summary>
internal sealed class OwnerSubjects
{
    // Bounds the memory of a long-lived context; an owner is always materialized just before what it owns.
    private const int MaxEntries = 100_000;
    private static readonly ConditionalWeakTable<DbContext, OwnerSubjects> PerContext = new();
    private readonly Dictionary<string, string?> _subjects = new(StringComparer.Ordinal);

    public static OwnerSubjects For(DbContext context) => PerContext.GetValue(context, _ => new OwnerSubjects());

    public static string Key(IReadOnlyEntityType entityType, IEnumerable<object?> keyValues)
        => entityType.Name + "\u0000" + string.Join("\u0000", keyValues.Select(Model.PersonalDataMembers.ToSubjectText));

    public void Record(string key, string? subjectId)
    {
        lock (_subjects)
        {
            if (_subjects.Count >= MaxEntries)
            {
                _subjects.Clear();
            }

            _subjects[key] = subjectId;
        }
    }

    public bool TryFind(string key, out string? subjectId)
    {
        lock (_subjects)
        {
            return _subjects.TryGetValue(key, out subjectId);
        }
    }
}
