using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Gdpr.Encryption;
using Gdpr.Encryption.Internal;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Columns;
using Gdpr.Storage.EfCore.Diagnostics;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>Decrypts the personal-data column of entities as EF creates them (<see cref="DecryptingBindingInterceptor"/>) into their members.</summary>
internal sealed class PersonalDataMaterializer(PersonalDataRowCodec codec)
{
    [ThreadStatic]
    private static (object? Value, bool Erased)[]? t_values;

    /// <summary>
    /// Decrypts the personal-data column of a freshly created entity into its members. <paramref name="row"/> holds
    /// the columns of <see cref="PersonalDataEntityMap.ReadProperties"/>, read from the query's result, not through the
    /// context (which is busy reading).
    /// </summary>
    public void Materialize(DbContext context, object entity, PersonalDataEntityMap map, object?[] row)
    {
        string? subject;
        if (map.Ownership is null)
        {
            subject = PersonalDataMembers.ToSubjectText(row[0]);
        }
        else
        {
            var ownerKey = OwnerSubjects.Key(map.Ownership.PrincipalEntityType, new ArraySegment<object?>(row, 0, map.SubjectCount));
            if (!OwnerSubjects.For(context).TryFind(ownerKey, out subject))
            {
                throw new PersonalDataModelException(map.Name, null, "its owner was not materialized in the same query, so its data subject is unknown; query the owner.");
            }
        }

        if (map.OwnedNavigations.Length > 0)
        {
            OwnerSubjects.For(context).Record(OwnerSubjects.Key(map.EntityType, new ArraySegment<object?>(row, map.SubjectCount, map.KeyProperties.Length)), subject);
        }

        if (map.Members.Length > 0)
        {
            ReadRow(map, subject, (byte[]?)row[map.ColumnOffset], entity, row);
        }
    }

    /// <summary>
    /// The compiled materializer's read (<see cref="DecryptingBindingInterceptor"/>): decrypts each record of the
    /// row once and sets the members. <paramref name="keySource"/> is a row or the entity (which already holds its
    /// primary key), for messages.
    /// </summary>
    public void ReadRow(PersonalDataEntityMap map, string? subject, byte[]? column, object entity, object keySource)
    {
        // One scratch array per thread rather than per row; cleared after use so it holds no plaintext values.
        var values = t_values is { } scratch && scratch.Length >= map.Members.Length ? scratch : (t_values = new (object?, bool)[Math.Max(16, map.Members.Length)]);
        try
        {
            codec.ReadValues(map, subject, column, keySource, values, records: null, materialized: entity);
            for (var i = 0; i < map.Members.Length; i++)
            {
                map.Members[i].Set(entity, values[i].Value);
            }
        }
        finally
        {
            Array.Clear(values, 0, map.Members.Length);
        }
    }
}
