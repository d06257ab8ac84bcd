using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Columns;
using Gdpr.Storage.EfCore.Diagnostics;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Encrypts the annotated members of pending entities into their rows' personal-data column (one envelope per
/// member, <see cref="PersonalDataColumn"/>), and decrypts envelopes into the members of materialized entities. The
/// entities themselves always hold plaintext.
/// </summary>
internal sealed class PersonalDataCrypto(IFieldEncryptor encryptor, ISubjectKeyManager keys, ILogger logger)
{
    private const int StackBufferSize = 256;

    /// <summary>
    /// Encrypts every annotated value that is new or changed since it was read or written. Keys are fetched
    /// first, asynchronously, one call per (subject, scope); then every value is encrypted from the cache.
    /// Throws before anything is sent to the database, so a failure writes nothing.
    /// </summary>
    /// <remarks>
    /// "Changed" is judged against the envelope the entry holds (decrypted again), not against a snapshot kept per
    /// instance: keeping one per materialized entity cost more than the decryption of the whole row, on every read,
    /// while this costs a cache-hit decryption per member of tracked, unchanged entities, on save only.
    /// </remarks>
    /// <param name="context">The context being saved.</param>
    /// <param name="synchronous">Whether SaveChanges was called synchronously: the one database read here (a stub's stored column) then is too.</param>
    /// <param name="cancellationToken">Cancels the key fetches.</param>
    public async ValueTask EncryptPendingAsync(DbContext context, bool synchronous, CancellationToken cancellationToken)
    {
        var model = PersonalDataModelMap.For(context.Model);
        if (!model.HasPersonalData)
        {
            return;
        }

        // Entries() runs DetectChanges (when enabled), so entities added through navigations are seen too.
        var entries = context.ChangeTracker.Entries().ToList();
        var ownedSubjects = ResolveOwnedSubjects(model, entries);

        List<Pending>? pending = null;
        HashSet<(string Subject, string Scope)>? keysNeeded = null;
        foreach (var entry in entries)
        {
            if (entry.State is EntityState.Deleted or EntityState.Detached || model.Get(entry.Metadata) is not { Members.Length: > 0 } map)
            {
                continue;
            }

            var entity = entry.Entity;
            string? subject, originalSubject;
            if (map.Ownership is null)
            {
                subject = PersonalDataMembers.ToSubjectText(map.GetSubject!(entity));
                originalSubject = entry.State == EntityState.Added ? null : PersonalDataMembers.ToSubjectText(entry.OriginalValues[map.SubjectProperty!]);
            }
            else
            {
                (subject, originalSubject) = ownedSubjects?.GetValueOrDefault(entity) ?? default;
            }

            var rewriteAll = entry.State == EntityState.Added || !string.Equals(originalSubject, subject, StringComparison.Ordinal);
            var values = new object?[map.Members.Length];
            var changed = new bool[map.Members.Length];
            var stored = rewriteAll ? null : (byte[]?)entry.CurrentValues[map.Column!];
            var row = rewriteAll ? null : RowOf(entry, map);
            var storedCursor = 0;
            var any = false;
            for (var i = 0; i < map.Members.Length; i++)
            {
                var member = map.Members[i];
                values[i] = member.Get(entity);
                changed[i] = rewriteAll || IsChanged(map, member, subject, values[i], stored, ref storedCursor, row!);
                any |= changed[i];
            }

            if (!any)
            {
                continue; // Its envelopes still hold exactly these values: never encrypt twice.
            }

            if (string.IsNullOrWhiteSpace(subject))
            {
                throw map.Ownership is null
                    ? new PersonalDataModelException(map.Name, map.SubjectProperty!.Name, "the data subject id is null or empty; nothing was saved.")
                    : new PersonalDataModelException(map.Name, null, "the owner's data subject id is null or empty; nothing was saved.");
            }

            if (!rewriteAll && stored is null && entry.State != EntityState.Added)
            {
                // An instance attached without being read (a stub for a partial update) holds no column, but the row
                // may: the members the stub leaves null keep their stored envelopes, which share that column with the
                // ones it changes. (Also reached by a row read with no values at all, where it finds none.)
                var inDatabase = synchronous ? entry.GetDatabaseValues() : await entry.GetDatabaseValuesAsync(cancellationToken).ConfigureAwait(false);
                stored = (byte[]?)inDatabase?[map.Column!];
            }

            (pending ??= []).Add(new Pending(entry, map, subject, values, changed, stored));
            string? lastScope = null;
            for (var i = 0; i < values.Length; i++)
            {
                // Members of one entity mostly share a scope: hash the (subject, scope) pair once, not per member.
                if (changed[i] && values[i] is not null && !ReferenceEquals(map.Members[i].Scope, lastScope))
                {
                    lastScope = map.Members[i].Scope;
                    (keysNeeded ??= []).Add((subject, lastScope));
                }
            }
        }

        if (pending is null)
        {
            return;
        }

        if (keysNeeded is not null)
        {
            foreach (var (subject, scope) in keysNeeded)
            {
                await encryptor.PrepareAsync(subject, scope, forWriting: true, cancellationToken).ConfigureAwait(false);
            }
        }

        var count = 0;
        foreach (var p in pending)
        {
            var column = new List<(byte[] Name, ReadOnlyMemory<byte> Envelope)>(p.Values.Length);
            var cursor = 0;
            for (var i = 0; i < p.Values.Length; i++)
            {
                var member = p.Map.Members[i];
                if (!p.Changed[i])
                {
                    // Only the changed members get a new envelope; the others keep theirs, byte for byte (a stub's
                    // null members included). An unchanged value without an entry stays without one.
                    if (p.Stored is not null && PersonalDataColumn.TryFind(p.Stored, member.EntryName, ref cursor, out var kept))
                    {
                        column.Add((member.EntryName, p.Stored.AsMemory(kept)));
                    }

                    continue;
                }

                if (p.Values[i] is not { } value)
                {
                    continue; // Set to null: no entry.
                }

                var field = new FieldAddress(p.Subject, member.Scope, member.FieldId);
                var envelope = TryEncryptCached(field, value)
                               ?? await encryptor.EncryptValueAsync(field, value, cancellationToken).ConfigureAwait(false); // Evicted since PrepareAsync: fetch or create the key again.
                column.Add((member.EntryName, envelope));
                count++;
            }

            p.Entry.CurrentValues[p.Map.Column!] = PersonalDataColumn.Write(column);
        }

        Log.ValuesEncrypted(logger, count);
    }

    /// <summary>
    /// Reads one stored value as the application sees it: decrypted, or the member's replacement when erased
    /// (key destroyed, or blanked by an erasure). <paramref name="column"/> is the row's personal-data column;
    /// <paramref name="row"/> follows <see cref="PersonalDataEntityMap.ReadProperties"/> (only the key part is used,
    /// for error messages).
    /// </summary>
    public (object? Value, bool Erased) Read(PersonalDataEntityMap map, PersonalDataMemberMap member, string? subject, byte[]? column, object?[] row)
    {
        var cursor = 0;
        return ReadCore(map, member, subject, column, ref cursor, row);
    }

    /// <summary>Builds a row (<see cref="PersonalDataEntityMap.ReadProperties"/> order) from a tracked entry, for <see cref="Read"/>.</summary>
    public static object?[] RowOf(EntityEntry entry, PersonalDataEntityMap map)
    {
        var row = new object?[map.ReadProperties.Length];
        for (var i = map.SubjectCount; i < row.Length; i++)
        {
            row[i] = entry.CurrentValues[map.ReadProperties[i]];
        }

        return row;
    }

    private bool IsChanged(PersonalDataEntityMap map, PersonalDataMemberMap member, string? subject, object? value, byte[]? stored, ref int cursor, object?[] row)
    {
        if (stored is { Length: > 0 } && string.IsNullOrWhiteSpace(subject))
        {
            return true; // Cannot be judged; re-encrypting reports the missing subject id.
        }

        return !SameValue(value, ReadCore(map, member, subject, stored, ref cursor, row).Value);
    }

    private static bool SameValue(object? current, object? stored)
        => current is byte[] a && stored is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(current, stored);

    /// <summary>
    /// Decrypts the envelopes of a freshly created entity into its members. <paramref name="row"/> holds the
    /// columns of <see cref="PersonalDataEntityMap.ReadProperties"/>, read from the query's result, not through the
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

        if (map.Members.Length == 0)
        {
            return;
        }

        var column = (byte[]?)row[map.ColumnOffset];
        var cursor = 0;
        for (var i = 0; i < map.Members.Length; i++)
        {
            var member = map.Members[i];
            member.Set(entity, ReadCore(map, member, subject, column, ref cursor, row).Value);
        }
    }

    /// <summary>Encrypts with the cached key; strings and byte arrays without an intermediate copy on the heap.</summary>
    [SkipLocalsInit] // The encoder writes the first length bytes, the only ones read and wiped.
    private byte[]? TryEncryptCached(in FieldAddress field, object value)
    {
        if (value is byte[] bytes)
        {
            return TryEncrypt(field, bytes);
        }

        if (value is not string text)
        {
            var plaintext = PersonalDataValueCodec.ToBytes(value);
            try
            {
                return TryEncrypt(field, plaintext);
            }
            finally
            {
                Array.Clear(plaintext);
            }
        }

        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = System.Text.Encoding.UTF8.GetBytes(text, buffer);
        try
        {
            return TryEncrypt(field, buffer[..length]);
        }
        finally
        {
            buffer[..length].Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private byte[]? TryEncrypt(in FieldAddress field, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[encryptor.GetEnvelopeLength(plaintext.Length)];
        return encryptor.TryEncrypt(field, plaintext, envelope, out _) ? envelope : null;
    }

    /// <summary>
    /// The compiled materializer's read of one member (<see cref="DecryptingBindingInterceptor"/>): typed, and
    /// without a row of boxed columns. <paramref name="entity"/> already holds its primary key, for messages;
    /// <paramref name="cursor"/> carries the position in <paramref name="column"/> from one member to the next.
    /// </summary>
    public T ReadMember<T>(PersonalDataEntityMap map, int index, string? subject, byte[]? column, ref int cursor, object entity)
        => ReadCore(map, map.Members[index], subject, column, ref cursor, entity).Value is T value ? value : default!;

    /// <summary><see cref="Read"/> and <see cref="ReadMember{T}"/>; <paramref name="keySource"/> is the row or the entity, for messages.</summary>
    private (object? Value, bool Erased) ReadCore(PersonalDataEntityMap map, PersonalDataMemberMap member, string? subject, byte[]? column, ref int cursor, object keySource)
    {
        Range found;
        try
        {
            if (column is null || !PersonalDataColumn.TryFind(column, member.EntryName, ref cursor, out found))
            {
                return (member.NullValue, false);
            }
        }
        catch (FormatException)
        {
            // The column's framing was edited: the envelope cannot even be found. Named like a failed envelope.
            var pseudonym = string.IsNullOrWhiteSpace(subject) ? null : keys.GetPseudonym(subject).Value;
            throw IntegrityFailed(map, member, keySource, new PersonalDataIntegrityException(member.FieldId, pseudonym, IntegrityFailure.UnsupportedFormat));
        }

        var envelope = new ReadOnlyMemory<byte>(column, found.Start.Value, found.End.Value - found.Start.Value);
        if (envelope.Length == 0)
        {
            // The erasure replaced the value (ErasureAction.Replace): the column holds nothing of it any more.
            return (member.ErasedValue, true);
        }

        if (string.IsNullOrWhiteSpace(subject))
        {
            throw new PersonalDataModelException(map.Name, member.Name, $"the row (key {KeyText(map, keySource)}) holds an encrypted value but no data subject id.");
        }

        return Decrypt(map, member, subject, envelope, keySource);
    }

    // No zeroing of the stack buffer on entry: only the bytes the AEAD writes are read, and those are wiped below.
    [SkipLocalsInit]
    private (object? Value, bool Erased) Decrypt(PersonalDataEntityMap map, PersonalDataMemberMap member, string subject, ReadOnlyMemory<byte> envelope, object keySource)
    {
        var field = new FieldAddress(subject, member.Scope, member.FieldId);
        var length = encryptor.GetPlaintextLength(envelope.Span);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var status = encryptor.TryDecrypt(field, envelope.Span, buffer, out var written);
            if (status == FieldReadStatus.KeyNotCached)
            {
                return DecryptLoadingKey(map, member, field, envelope);
            }

            return status == FieldReadStatus.Erased
                ? (member.ErasedValue, true)
                : (PersonalDataValueCodec.FromBytes(member.MemberType, buffer[..written]), false);
        }
        catch (PersonalDataIntegrityException ex)
        {
            throw IntegrityFailed(map, member, keySource, ex);
        }
        catch (FormatException)
        {
            // Authenticated bytes of the wrong length for the member type: the column was written for another type.
            throw IntegrityFailed(map, member, keySource, new PersonalDataIntegrityException(field.Field, keys.GetPseudonym(subject).Value, IntegrityFailure.UnsupportedFormat));
        }
        finally
        {
            buffer[..Math.Clamp(length, 0, buffer.Length)].Clear(); // The plaintext, never more than length bytes.
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// A cache miss inside materialization, which EF runs synchronously while this context's connection is busy
    /// reading. Blocking here is safe because the key store never goes through the application's context or
    /// connection (the in-memory store, or the EF key store on its own context and connection).
    /// </summary>
    private (object? Value, bool Erased) DecryptLoadingKey(PersonalDataEntityMap map, PersonalDataMemberMap member, FieldAddress field, ReadOnlyMemory<byte> envelope)
    {
        Log.KeyLoadedDuringMaterialization(logger, member.Scope, map.Name);
        var pending = encryptor.DecryptAsync(field, envelope);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (result.IsErased)
        {
            return (member.ErasedValue, true);
        }

        try
        {
            return (PersonalDataValueCodec.FromBytes(member.MemberType, result.Value), false);
        }
        finally
        {
            Array.Clear(result.Value!);
        }
    }

    private PersonalDataIntegrityException IntegrityFailed(PersonalDataEntityMap map, PersonalDataMemberMap member, object keySource, PersonalDataIntegrityException inner)
    {
        var key = KeyText(map, keySource);
        Log.IntegrityFailed(logger, map.Name, member.Name, key, inner.Failure);
        return new PersonalDataIntegrityException(inner.Field, inner.SubjectPseudonym, inner.Failure, $"entity {map.Name}, key {key}, member {member.Name}");
    }

    /// <summary>
    /// The primary key as text for messages; withheld when it contains the subject id (personal data).
    /// <paramref name="keySource"/> is a row (<see cref="PersonalDataEntityMap.ReadProperties"/> order) or the entity.
    /// </summary>
    private static string KeyText(PersonalDataEntityMap map, object keySource)
    {
        if (map.KeyIsPersonal || map.KeyProperties.Length == 0)
        {
            return "[withheld]";
        }

        var values = keySource is object?[] row
            ? new ArraySegment<object?>(row, map.SubjectCount, map.KeyProperties.Length)
            : map.KeyProperties.Select(p => p.GetGetter().GetClrValueUsingContainingEntity(keySource));
        return string.Join(",", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
    }

    /// <summary>Owned instances take the subject of the root that owns them, through any depth of ownership.</summary>
    private static Dictionary<object, (string? Current, string? Original)>? ResolveOwnedSubjects(PersonalDataModelMap model, List<EntityEntry> entries)
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
            foreach (var (navigation, get) in map.OwnedNavigations)
            {
                var value = get(owner);
                IEnumerable<object> owned = value switch
                {
                    null => [],
                    System.Collections.IEnumerable many when navigation.IsCollection => many.Cast<object>(),
                    _ => [value],
                };
                foreach (var item in owned)
                {
                    subjects[item] = subject;
                    if (model.Get(navigation.TargetEntityType) is { OwnedNavigations.Length: > 0 } inner)
                    {
                        Assign(model, inner, item, subject, subjects);
                    }
                }
            }
        }
    }

    // Stored: the personal-data column as the entry holds it, whose envelopes the unchanged members keep.
    private sealed record Pending(EntityEntry Entry, PersonalDataEntityMap Map, string Subject, object?[] Values, bool[] Changed, byte[]? Stored);
}
