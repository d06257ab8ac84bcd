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

/// <summary>
/// Encrypts the annotated members of pending entities into their rows' personal-data column (one envelope per
/// retention scope, a record of its members' values: <see cref="PersonalDataColumn"/>), and decrypts records into the
/// members of materialized entities. The entities themselves always hold plaintext.
/// </summary>
internal sealed class PersonalDataCrypto(ICachedFieldEncryptor encryptor, ISubjectKeyManager keys, ILogger logger)
{
    // A record's plaintext (a contact's name, e-mail, phone and birth date with their framing) fits most of the time.
    private const int StackBufferSize = 512;

    [ThreadStatic]
    private static (object? Value, bool Erased)[]? t_values;

    /// <summary>
    /// Encrypts again every record with a value that is new or changed since it was read or written. Keys are
    /// fetched first, asynchronously, one call per (subject, scope); then every record is encrypted from the cache.
    /// Throws before anything is sent to the database, so a failure writes nothing.
    /// </summary>
    /// <remarks>
    /// "Changed" is judged against the records the entry holds (decrypted again), not against a snapshot kept per
    /// instance: keeping one per materialized entity cost more than the decryption of the whole row, on every read,
    /// while this costs a cache-hit decryption per record of tracked, unchanged entities, on save only.
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
            var column = entry.State == EntityState.Added ? null : (byte[]?)entry.CurrentValues[map.Column!];
            var stored = rewriteAll ? null : column;

            // Cannot be judged without a subject id: treated as changed, so that the check below reports it.
            rewriteAll |= stored is { Length: > 0 } && string.IsNullOrWhiteSpace(subject);

            // What the entry's column says of each record (read or last written by this context), under the subject
            // it was stored for. A record whose key version was destroyed since the entity was read holds erased
            // data in memory: refused before any key is fetched or created (see ThrowIfStale).
            (object? Value, bool Erased)[]? storedValues = null;
            StoredRecord[]? records = null;
            if (column is { Length: > 0 } && !string.IsNullOrWhiteSpace(originalSubject))
            {
                var read = ReadStored(map, originalSubject, column, RowOf(entry, map), out records);
                ReadMembers(map, entity, values);
                ThrowIfStale(map, entity, originalSubject, records, values, RowOf(entry, map));
                storedValues = rewriteAll ? null : read;
                records = rewriteAll ? null : records; // Another subject's key versions bind nothing here.
            }
            else
            {
                storedValues = rewriteAll ? null : ReadValues(map, subject, stored, RowOf(entry, map));
                ReadMembers(map, entity, values);
            }

            var any = false;
            for (var i = 0; i < map.Members.Length; i++)
            {
                changed[i] = rewriteAll || !SameValue(values[i], storedValues![i].Value);
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

            ThrowIfNotStrictText(map, values, changed);

            if (!rewriteAll && stored is null && entry.State != EntityState.Added)
            {
                // An instance attached without being read (a stub for a partial update) holds no column, but the row
                // may: the members the stub leaves null keep their stored values, which share a record with the ones
                // it changes. (Also reached by a row read with no values at all, where it finds none.)
                var inDatabase = synchronous ? entry.GetDatabaseValues() : await entry.GetDatabaseValuesAsync(cancellationToken).ConfigureAwait(false);
                // A stub carries no read state: its values are taken as assigned now (docs/efcore.md, "Saving").
                stored = (byte[]?)inDatabase?[map.Column!];
                storedValues = ReadStored(map, subject, stored, RowOf(entry, map), out records);
            }

            (pending ??= []).Add(new Pending(entry, map, subject, values, changed, stored, storedValues, records));
            foreach (var record in map.Records)
            {
                // Written again when a member changed; needing the scope's key only when it will hold a value.
                if (record.Members.Any(i => changed[i]) && record.Members.Any(i => ValueToWrite(i, changed, values, storedValues) is not null))
                {
                    (keysNeeded ??= []).Add((subject, record.Scope));
                }
            }
        }

        if (pending is null)
        {
            return;
        }

        if (keysNeeded is not null)
        {
            // Every subject id of the save is checked before the first key is created: an invalid one in the batch
            // (InvalidSubjectIdException) leaves no key row behind for the others either.
            // The missing keys are created in one batch (one key-store transaction), not one transaction per subject.
            foreach (var (subject, _) in keysNeeded)
            {
                _ = keys.GetPseudonym(subject);
            }

            await encryptor.PrepareManyAsync([.. keysNeeded], forWriting: true, cancellationToken).ConfigureAwait(false);
        }

        var count = 0;
        foreach (var p in pending)
        {
            var column = new List<(byte[] Name, ReadOnlyMemory<byte> Envelope)>(p.Map.Records.Length);
            var cursor = 0;
            for (var r = 0; r < p.Map.Records.Length; r++)
            {
                var record = p.Map.Records[r];
                if (!record.Members.Any(i => p.Changed[i]))
                {
                    // Only a record with a changed member gets a new envelope; the others keep theirs, byte for byte.
                    if (p.Stored is not null && PersonalDataColumn.TryFind(p.Stored, record.EntryName, ref cursor, out var kept))
                    {
                        column.Add((record.EntryName, p.Stored.AsMemory(kept)));
                    }

                    continue;
                }

                var (envelope, written) = await EncryptRecordAsync(p, r, cancellationToken).ConfigureAwait(false);
                ErasedAtRead.Forget(p.Entry.Entity, r); // From now on its values are the ones just written.
                if (envelope is not null)
                {
                    column.Add((record.EntryName, envelope));
                    count += written;
                }
            }

            p.Entry.CurrentValues[p.Map.Column!] = PersonalDataColumn.Write(column);
        }

        Log.ValuesEncrypted(logger, count);
    }

    /// <summary>
    /// Reads a row's members as the application sees them: decrypted, or the member's replacement when erased (key
    /// destroyed, or its record blanked by an erasure), one decryption per record. <paramref name="column"/> is the
    /// row's personal-data column; <paramref name="keySource"/> is a row (<see cref="PersonalDataEntityMap.ReadProperties"/>
    /// order) or the entity, for messages.
    /// </summary>
    public (object? Value, bool Erased)[] ReadValues(PersonalDataEntityMap map, string? subject, byte[]? column, object keySource)
    {
        var values = new (object? Value, bool Erased)[map.Members.Length];
        ReadValues(map, subject, column, keySource, values, records: null, materialized: null);
        return values;
    }

    /// <summary>
    /// <see cref="ReadValues(PersonalDataEntityMap, string?, byte[], object)"/> for a save: also says, per record (in
    /// <see cref="PersonalDataEntityMap.Records"/> order), what the column held and under which key version.
    /// </summary>
    public (object? Value, bool Erased)[] ReadStored(PersonalDataEntityMap map, string? subject, byte[]? column, object keySource, out StoredRecord[] records)
    {
        var values = new (object? Value, bool Erased)[map.Members.Length];
        records = new StoredRecord[map.Records.Length];
        ReadValues(map, subject, column, keySource, values, records, materialized: null);
        return values;
    }

    /// <summary>Builds a row (<see cref="PersonalDataEntityMap.ReadProperties"/> order) from a tracked entry, for <see cref="ReadValues(PersonalDataEntityMap, string?, byte[], object)"/>.</summary>
    public static object?[] RowOf(EntityEntry entry, PersonalDataEntityMap map)
    {
        var row = new object?[map.ReadProperties.Length];
        for (var i = map.SubjectCount; i < row.Length; i++)
        {
            row[i] = entry.CurrentValues[map.ReadProperties[i]];
        }

        return row;
    }

    /// <summary>
    /// What a rewritten record holds for member <paramref name="i"/>: a changed member's current value, an unchanged
    /// member's stored one (a stub's null members keep theirs), nothing for a value erased with its record.
    /// </summary>
    private static object? ValueToWrite(int i, bool[] changed, object?[] values, (object? Value, bool Erased)[]? stored)
        => changed[i] ? values[i] : stored is not null && !stored[i].Erased ? stored[i].Value : null;

    private static bool SameValue(object? current, object? stored)
        => current is byte[] a && stored is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(current, stored);

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
            ReadValues(map, subject, column, keySource, values, records: null, materialized: entity);
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

    // records: receives what each record was (a save's read), or null. materialized: the entity being materialized
    // (a query's read), or null; a record it gets as erased from an envelope under a destroyed key is remembered
    // (ErasedAtRead).
    private void ReadValues(PersonalDataEntityMap map, string? subject, byte[]? column, object keySource, (object? Value, bool Erased)[] values, StoredRecord[]? records, object? materialized)
    {
        var cursor = 0;
        for (var r = 0; r < map.Records.Length; r++)
        {
            var record = map.Records[r];
            Range found;
            try
            {
                if (column is null || !PersonalDataColumn.TryFind(column, record.EntryName, ref cursor, out found))
                {
                    Fill(map, record, values, erased: false); // No record: all its members are null.
                    continue;
                }
            }
            catch (FormatException)
            {
                // The column's framing was edited: the record cannot even be found. Named like a failed envelope.
                throw IntegrityFailed(map, record, keySource, new PersonalDataIntegrityException(map.RecordFieldId, PseudonymOrNull(subject), IntegrityFailure.UnsupportedFormat));
            }

            var envelope = new ReadOnlyMemory<byte>(column, found.Start.Value, found.End.Value - found.Start.Value);
            if (envelope.IsEmpty)
            {
                // An erasure replaced the record (ErasureAction.Replace): the column holds nothing of its values.
                Fill(map, record, values, erased: true);
                records?[r] = new StoredRecord(StoredRecordKind.Replaced, 0);
                if (materialized is not null)
                {
                    ErasedAtRead.Remember(materialized, map.Records.Length, r, ErasedAtRead.ReplacedMarker);
                }

                continue;
            }

            if (string.IsNullOrWhiteSpace(subject))
            {
                throw new PersonalDataModelException(map.Name, record.MembersText, $"the row (key {KeyText(map, keySource)}) holds encrypted values but no data subject id.");
            }

            var erased = DecryptRecord(map, record, subject, envelope, keySource, values);
            var version = KeyVersionOf(envelope.Span);
            records?[r] = new StoredRecord(erased ? StoredRecordKind.Destroyed : StoredRecordKind.Decrypted, version);
            if (erased && materialized is not null)
            {
                ErasedAtRead.Remember(materialized, map.Records.Length, r, version);
            }
        }
    }

    /// <summary>
    /// Refuses to save an entity whose column holds a record under a key version that has been destroyed, unless the
    /// entity got that record as erased when it was read: then its members hold erased values (or values assigned
    /// since, which are new). Otherwise they hold the plaintext read before the erasure, and encrypting them again
    /// (under the scope's next key) would bring the erased data back.
    /// </summary>
    /// <remarks>
    /// What is checked, and why it costs nothing on the usual path: the column in the entry is the one the entity was
    /// read with (or last saved with), so its envelopes' key versions are the versions the values in memory came
    /// from; no per-entity state is kept for that. Each record is decrypted again anyway (to see which members
    /// changed); that answers from the key cache when the key is cached and live — no database round trip — and asks
    /// the key store on a miss, which is how a node that has evicted the key (its own shred, another node's shred
    /// notification, or MaxAge) learns of the tombstone. A node whose cache still holds the destroyed key for a while
    /// (docs/key-store.md's bound) writes under that same version only (see EncryptRecordAsync): unreadable once the
    /// key leaves the cache, never under a new key. Only entities read as erased carry state (<see cref="ErasedAtRead"/>),
    /// kept off the hot path: it is written when a record reads as erased, read when a record is found destroyed.
    /// </remarks>
    private void ThrowIfStale(PersonalDataEntityMap map, object entity, string subject, StoredRecord[] records, object?[] values, object keySource)
    {
        for (var r = 0; r < records.Length; r++)
        {
            var stale = records[r].Kind switch
            {
                StoredRecordKind.Destroyed => !ErasedAtRead.WasErased(entity, r, records[r].KeyVersion),

                // The erasure's marker under an entity that did not get it from a query (the column was changed under
                // it, as Reload does: EF refreshes mapped columns, not these members) while it holds other values than
                // the erased ones: those are what it read before.
                StoredRecordKind.Replaced => !ErasedAtRead.WasErased(entity, r, ErasedAtRead.ReplacedMarker)
                                             && map.Records[r].Members.Any(i => !SameValue(values[i], map.Members[i].ErasedValue)),
                _ => false,
            };
            if (stale)
            {
                var record = map.Records[r];
                var pseudonym = keys.GetPseudonym(subject).Value;
                Log.StaleSaveRefused(logger, map.Name, record.Scope, pseudonym);
                throw new StalePersonalDataException(map.Name, record.Scope, pseudonym, $"key {KeyText(map, keySource)}, {record.MembersText}");
            }
        }
    }

    /// <summary>
    /// Every string about to be encrypted must have a UTF-8 form (no lone surrogate), checked before any key is
    /// fetched or created so that a refused save leaves no key row behind either (Art. 5(1)(d): stored exactly or refused).
    /// </summary>
    private static void ThrowIfNotStrictText(PersonalDataEntityMap map, object?[] values, bool[] changed)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (changed[i] && values[i] is string text && !PersonalDataValueCodec.IsValidText(text))
            {
                throw new PersonalDataModelException(map.Name, map.Members[i].Name, "the string holds an unpaired surrogate (it has no UTF-8 form), so it cannot be stored exactly; nothing was saved.");
            }
        }
    }

    private static void ReadMembers(PersonalDataEntityMap map, object entity, object?[] values)
    {
        for (var i = 0; i < map.Members.Length; i++)
        {
            values[i] = map.Members[i].Get(entity);
        }
    }

    /// <summary>The data-key version of an envelope (docs/envelope.md: bytes 2..5, big-endian); 0 when too short to say.</summary>
    private static uint KeyVersionOf(ReadOnlySpan<byte> envelope)
        => envelope.Length >= 6 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(envelope[2..6]) : 0;

    private static void Fill(PersonalDataEntityMap map, PersonalDataRecordMap record, (object? Value, bool Erased)[] values, bool erased)
    {
        foreach (var i in record.Members)
        {
            values[i] = erased ? (map.Members[i].ErasedValue, true) : (map.Members[i].NullValue, false);
        }
    }

    // No zeroing of the stack buffer on entry: only the bytes the AEAD writes are read, and those are wiped below.
    [SkipLocalsInit]
    private bool DecryptRecord(PersonalDataEntityMap map, PersonalDataRecordMap record, string subject, ReadOnlyMemory<byte> envelope, object keySource, (object? Value, bool Erased)[] values)
    {
        var field = new FieldAddress(subject, record.Scope, map.RecordFieldId);
        var length = encryptor.GetPlaintextLength(envelope.Span);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var status = encryptor.TryDecrypt(field, envelope.Span, buffer, out var written);
            if (status == FieldReadStatus.KeyNotCached)
            {
                return DecryptLoadingKey(map, record, field, envelope, values);
            }

            if (status == FieldReadStatus.Erased)
            {
                Fill(map, record, values, erased: true);
                return true;
            }

            Decode(map, record, buffer[..written], values);
            return false;
        }
        catch (PersonalDataIntegrityException ex)
        {
            throw IntegrityFailed(map, record, keySource, ex);
        }
        catch (FormatException)
        {
            // Authenticated bytes that do not parse as this record (a member now of another type): written for another model.
            throw IntegrityFailed(map, record, keySource, new PersonalDataIntegrityException(field.Field, keys.GetPseudonym(subject).Value, IntegrityFailure.UnsupportedFormat));
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

    /// <summary>Each member of the record from its entry (absent: null), in member order.</summary>
    private static void Decode(PersonalDataEntityMap map, PersonalDataRecordMap record, ReadOnlySpan<byte> plaintext, (object? Value, bool Erased)[] values)
    {
        var cursor = 0;
        foreach (var i in record.Members)
        {
            var member = map.Members[i];
            values[i] = PersonalDataColumn.TryFind(plaintext, member.EntryName, ref cursor, out var range)
                ? (PersonalDataValueCodec.FromBytes(member.MemberType, plaintext[range]), false)
                : (member.NullValue, false);
        }
    }

    /// <summary>
    /// A cache miss inside materialization, which EF runs synchronously while this context's connection is busy
    /// reading. Blocking here is safe because the key store never goes through the application's context or
    /// connection (the in-memory store, or the EF key store on its own context and connection).
    /// </summary>
    private bool DecryptLoadingKey(PersonalDataEntityMap map, PersonalDataRecordMap record, FieldAddress field, ReadOnlyMemory<byte> envelope, (object? Value, bool Erased)[] values)
    {
        Log.KeyLoadedDuringMaterialization(logger, record.Scope, map.Name);
        var pending = encryptor.DecryptAsync(field, envelope);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (result.IsErased)
        {
            Fill(map, record, values, erased: true);
            return true;
        }

        try
        {
            Decode(map, record, result.Value, values);
            return false;
        }
        finally
        {
            Array.Clear(result.Value!);
        }
    }

    /// <summary>
    /// Encrypts one record: the changed members' current values, and the unchanged members' stored ones (a stub's
    /// null members keep theirs; values of an erased record are not carried over). Returns no envelope when the
    /// record holds no value, and how many values it holds.
    /// </summary>
    /// <remarks>
    /// A record whose stored envelope was decrypted under key version v holds values read under v: its new envelope
    /// must be under v too. If the key has moved on (v was destroyed between the check in EncryptPendingAsync and
    /// now, and the next key was created), the save is refused like a stale one. A value read under a key is thus
    /// only ever written under that key, which an erasure destroys.
    /// </remarks>
    private async ValueTask<(byte[]? Envelope, int Values)> EncryptRecordAsync(Pending p, int r, CancellationToken cancellationToken)
    {
        var record = p.Map.Records[r];
        var entries = new List<(byte[] Name, ReadOnlyMemory<byte> Value)>(record.Members.Length);
        var owned = new List<byte[]>(record.Members.Length); // encodings made here, wiped below (not the application's byte arrays)
        byte[]? plaintext = null;
        try
        {
            foreach (var i in record.Members)
            {
                if (ValueToWrite(i, p.Changed, p.Values, p.StoredValues) is not { } value)
                {
                    continue; // Null: no entry.
                }

                byte[] bytes;
                if (value is byte[] array)
                {
                    bytes = array;
                }
                else
                {
                    // Strict UTF-8 for strings, as every other path (checked before any key was fetched, ThrowIfNotStrictText).
                    bytes = PersonalDataValueCodec.ToBytes(value);
                    owned.Add(bytes);
                }

                entries.Add((p.Map.Members[i].EntryName, bytes));
            }

            plaintext = PersonalDataColumn.Write(entries);
            if (plaintext is null)
            {
                return (null, 0);
            }

            var field = new FieldAddress(p.Subject, record.Scope, p.Map.RecordFieldId);
            var envelope = TryEncrypt(field, plaintext)
                           ?? await encryptor.EncryptAsync(field, plaintext, cancellationToken).ConfigureAwait(false); // Evicted since PrepareAsync: fetch or create the key again.
            if (p.Records is { } records && records[r] is { Kind: StoredRecordKind.Decrypted, KeyVersion: var readUnder } && KeyVersionOf(envelope) != readUnder)
            {
                Array.Clear(envelope);
                var pseudonym = keys.GetPseudonym(p.Subject).Value;
                Log.StaleSaveRefused(logger, p.Map.Name, record.Scope, pseudonym);
                throw new StalePersonalDataException(p.Map.Name, record.Scope, pseudonym, $"key {KeyText(p.Map, p.Entry.Entity)}, {record.MembersText}");
            }

            return (envelope, entries.Count);
        }
        finally
        {
            if (plaintext is not null)
            {
                Array.Clear(plaintext);
            }

            foreach (var bytes in owned)
            {
                Array.Clear(bytes);
            }
        }
    }

    private byte[]? TryEncrypt(in FieldAddress field, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[encryptor.GetEnvelopeLength(plaintext.Length)];
        return encryptor.TryEncrypt(field, plaintext, envelope, out _) ? envelope : null;
    }

    private PersonalDataIntegrityException IntegrityFailed(PersonalDataEntityMap map, PersonalDataRecordMap record, object keySource, PersonalDataIntegrityException inner)
    {
        var key = KeyText(map, keySource);
        Log.IntegrityFailed(logger, map.Name, record.MembersText, key, inner.Failure);
        return new PersonalDataIntegrityException(inner.Field, inner.SubjectPseudonym, inner.Failure, $"entity {map.Name}, key {key}, {record.MembersText} (scope {record.Scope})");
    }

    private string? PseudonymOrNull(string? subject) => string.IsNullOrWhiteSpace(subject) ? null : keys.GetPseudonym(subject).Value;

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

    // Stored: the personal-data column as stored, whose envelopes unchanged records keep; StoredValues: its values.
    // Records: what each stored record was and under which key version (null when the subject changed).
    private sealed record Pending(EntityEntry Entry, PersonalDataEntityMap Map, string Subject, object?[] Values, bool[] Changed, byte[]? Stored, (object? Value, bool Erased)[]? StoredValues, StoredRecord[]? Records);
}

/// <summary>What a row's column held for one record, as a save reads it.</summary>
internal enum StoredRecordKind : byte
{
    /// <summary>No entry: every member of the record was null.</summary>
    Absent = 0,

    /// <summary>The empty marker of an erasure (<see cref="ErasureAction.Replace"/>).</summary>
    Replaced,

    /// <summary>An envelope under a live key, decrypted.</summary>
    Decrypted,

    /// <summary>An envelope under a key version that has been destroyed.</summary>
    Destroyed,
}

/// <summary>A record as a save read it: what it was, and the key version of its envelope.</summary>
internal readonly record struct StoredRecord(StoredRecordKind Kind, uint KeyVersion);
