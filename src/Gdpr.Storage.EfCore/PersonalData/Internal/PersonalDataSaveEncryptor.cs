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
/// retention scope, a record of its members' values: <see cref="PersonalDataColumn"/>) before SaveChanges sends
/// anything, preparing every key the save needs in one batch first.
/// </summary>
internal sealed class PersonalDataSaveEncryptor(PersonalDataRowCodec codec, ICachedFieldEncryptor encryptor, ISubjectKeyManager keys, ILogger logger, Gdpr.Search.BlindIndexKeyRing? blindIndexes)
{
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
        if (!model.HasPersonalData || ErasureContexts.Contains(context))
        {
            return;
        }

        // Entries() runs DetectChanges (when enabled), so entities added through navigations are seen too.
        var entries = context.ChangeTracker.Entries().ToList();
        var ownedSubjects = OwnedSubjectResolver.Resolve(model, entries);

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
                var read = codec.ReadStored(map, originalSubject, column, PersonalDataRowCodec.RowOf(entry, map), out records);
                PersonalDataRowCodec.ReadMembers(map, entity, values);
                ThrowIfStale(map, entity, originalSubject, records, values, PersonalDataRowCodec.RowOf(entry, map));
                storedValues = rewriteAll ? null : read;
                records = rewriteAll ? null : records; // Another subject's key versions bind nothing here.
            }
            else
            {
                storedValues = rewriteAll ? null : codec.ReadValues(map, subject, stored, PersonalDataRowCodec.RowOf(entry, map));
                PersonalDataRowCodec.ReadMembers(map, entity, values);
            }

            var any = false;
            for (var i = 0; i < map.Members.Length; i++)
            {
                changed[i] = rewriteAll || !PersonalDataRowCodec.SameValue(values[i], storedValues![i].Value);
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

            PersonalDataRowCodec.ThrowIfNotStrictText(map, values, changed);

            if (!rewriteAll && stored is null && entry.State != EntityState.Added && !QueriedRowContexts.Contains(context))
            {
                // An instance attached without being read (a stub for a partial update) holds no column, but the row
                // may: the members the stub leaves null keep their stored values, which share a record with the ones
                // it changes. (Also reached by a row read with no values at all, where it finds none.)
                var inDatabase = synchronous ? entry.GetDatabaseValues() : await entry.GetDatabaseValuesAsync(cancellationToken).ConfigureAwait(false);
                // A stub carries no read state: its values are taken as assigned now (docs/efcore.md, "Saving").
                stored = (byte[]?)inDatabase?[map.Column!];
                storedValues = codec.ReadStored(map, subject, stored, PersonalDataRowCodec.RowOf(entry, map), out records);
            }

            (pending ??= []).Add(new Pending(entry, map, subject, values, changed, stored, storedValues, records));
            foreach (var record in map.Records)
            {
                // Written again when a member changed; needing the scope's key only when it will hold a value.
                if (record.Members.Any(i => changed[i]) && record.Members.Any(i => PersonalDataRowCodec.ValueToWrite(i, changed, values, storedValues) is not null))
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

        await WriteBlindIndexesAsync(pending, cancellationToken).ConfigureAwait(false);

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

        EfCoreLog.ValuesEncrypted(logger, count);
    }

    /// <summary>
    /// Computes, under the newest epoch, the blind index of every pending row whose indexed members changed; an index
    /// none of whose members changed keeps its stored value (re-indexing moves it to a newer epoch).
    /// </summary>
    private async ValueTask WriteBlindIndexesAsync(List<Pending> pending, CancellationToken cancellationToken)
    {
        (int Epoch, Gdpr.Search.BlindIndexHasher Hasher)? newest = null;
        foreach (var p in pending)
        {
            foreach (var index in p.Map.BlindIndexes)
            {
                if (!index.Members.Any(i => p.Changed[i]))
                {
                    continue;
                }

                if (newest is null)
                {
                    var ring = blindIndexes ?? throw new InvalidOperationException("Blind indexes need the engine's registrations (AddGdpr).");
                    newest = (await ring.GetAsync(forWriting: true, cancellationToken).ConfigureAwait(false))[0];
                }

                var value = index.HasErasedMember(p.Map, p.Entry.Entity, p.Changed)
                    ? null
                    : newest.Value.Hasher.Compute(index.Definition, [.. index.Members.Select(i => p.Values[i] as string)]);
                p.Entry.CurrentValues[index.Property] = value is { } v ? BlindIndexMap.Stored(newest.Value.Epoch, v) : null;
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
                                             && map.Records[r].Members.Any(i => !PersonalDataRowCodec.SameValue(values[i], map.Members[i].ErasedValue)),
                _ => false,
            };
            if (stale)
            {
                var record = map.Records[r];
                var pseudonym = keys.GetPseudonym(subject).Value;
                EfCoreLog.StaleSaveRefused(logger, map.Name, record.Scope, pseudonym);
                throw new StalePersonalDataException(map.Name, record.Scope, pseudonym, $"key {PersonalDataRowCodec.KeyText(map, keySource)}, {record.MembersText}");
            }
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
                if (PersonalDataRowCodec.ValueToWrite(i, p.Changed, p.Values, p.StoredValues) is not { } value)
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
            if (p.Records is { } records && records[r] is { Kind: StoredRecordKind.Decrypted, KeyVersion: var readUnder } && PersonalDataRowCodec.KeyVersionOf(envelope) != readUnder)
            {
                Array.Clear(envelope);
                var pseudonym = keys.GetPseudonym(p.Subject).Value;
                EfCoreLog.StaleSaveRefused(logger, p.Map.Name, record.Scope, pseudonym);
                throw new StalePersonalDataException(p.Map.Name, record.Scope, pseudonym, $"key {PersonalDataRowCodec.KeyText(p.Map, p.Entry.Entity)}, {record.MembersText}");
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

    // Stored: the personal-data column as stored, whose envelopes unchanged records keep; StoredValues: its values.
    // Records: what each stored record was and under which key version (null when the subject changed).
    private sealed record Pending(EntityEntry Entry, PersonalDataEntityMap Map, string Subject, object?[] Values, bool[] Changed, byte[]? Stored, (object? Value, bool Erased)[]? StoredValues, StoredRecord[]? Records);
}
