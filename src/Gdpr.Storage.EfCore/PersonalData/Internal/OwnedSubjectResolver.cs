using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>Finds the data subject of owned instances pending in a save: the subject of the root that owns them.</summary>
internal static class OwnedSubjectResolver
{
    /// <summary>Owned instances take the subject of the root that owns them, through any depth of ownership.</summary>
    public static Dictionary<object, (string? Current, string? Original)>? Resolve(PersonalDataModelMap model, List<EntityEntry> entries)
    {
        Dictionary<object, (string?, string?)>? subjects = null;
        foreach (var entry in entries)
        {
            if (model.Get(entry.Metadata) is { Ownership: null, OwnedNavigations.Length: > 0 } map)
            {
                var current = PersonalDataMembers.ToSubjectText(map.GetSubject!(entry.Entity));
                var original = entry.State == EntityState.Added ? null : PersonalDataMembers.ToSubjectText(entry.OriginalValues[map.SubjectProperty!]);
                Assign(model, map, entry.Entity, (current, original), subjects ??= new(ReferenceEqualityComparer.Instance));
            }
        }

        return subjects;

        static void Assign(PersonalDataModelMap model, PersonalDataEntityMap map, object owner, (string?, string?) subject, Dictionary<object, (string?, string?)> subjects)
        {
            foreach (var (_, ownedMap, item) in map.OwnedInstances(model, owner))
            {
                subjects[item] = subject;
                Assign(model, ownedMap, item, subject, subjects);
            }
        }
    }
}
