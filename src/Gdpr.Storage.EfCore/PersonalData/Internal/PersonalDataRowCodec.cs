using Gdpr.Encryption.Infrastructure;
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
/// The one owner of a row's personal data: decodes the personal-data column (column framing, AEAD envelope, record
/// framing, value codec with strict UTF-8) into member values, says what each record was, and frames values for a
/// save. The save encryptor, the materializer and the export (<see cref="DataSources.DbContextPersonalDataSource{TContext}"/>)
/// all read and write rows through it.
/// </summary>
internal sealed class PersonalDataRowCodec(ICachedFieldEncryptor encryptor, ISubjectKeyManager keys, ILogger logger)
{
    // A record's plaintext (a contact's name, e-mail, phone and birth date with their framing) fits most of the time.
    private const int StackBufferSize = 512;

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

    /// <summary>
    /// Blanks the record of each scope in <paramref name="scopes"/> that holds an <see cref="ErasureAction.Replace"/>
    /// member: its entry in the column becomes the empty "replaced" marker, so nothing of its values is left and every
    /// member of it reads as its replacement (the scope's key is being destroyed, so the others of the record are
    /// erased either way). The object gets the replacements too, so that object and column agree. Returns how many
    /// <see cref="ErasureAction.Replace"/> values were replaced; a record replaced already counts none.
    /// </summary>
    public static int BlankScopes(EntityEntry entry, PersonalDataEntityMap map, IReadOnlySet<string> scopes)
    {
        var instance = entry.Entity;
        var replaced = 0;
        var values = entry.CurrentValues;
        List<(byte[] Name, ReadOnlyMemory<byte> Envelope)>? entries = null;
        foreach (var record in map.Records)
        {
            if (scopes.Contains(record.Scope))
            {
                ClearLegacyColumns(entry, map, record);
            }

            var replacing = record.Members.Where(i => map.Members[i].Attribute.Erasure == ErasureAction.Replace).ToList();
            if (replacing.Count == 0 || !scopes.Contains(record.Scope))
            {
                continue;
            }

            entries ??= PersonalDataColumn.ReadAll((byte[]?)values[map.Column!]);
            var at = entries.FindIndex(e => e.Name.AsSpan().SequenceEqual(record.EntryName));
            if (at < 0 || entries[at].Envelope.IsEmpty)
            {
                continue;
            }

            replaced += replacing.Count(i => map.Members[i].Get(instance) is not null);
            entries[at] = (entries[at].Name, ReadOnlyMemory<byte>.Empty);
            foreach (var i in record.Members)
            {
                map.Members[i].Set(instance, map.Members[i].ErasedValue);
            }
        }

        if (entries is not null)
        {
            values[map.Column!] = PersonalDataColumn.Write(entries);
        }

        return replaced;
    }

    /// <summary>
    /// Empties the old plaintext columns of a record's members (an entity type still in its legacy-plaintext
    /// migration, docs/migrations.md): destroying the scope's key does not reach a value that was never encrypted.
    /// </summary>
    private static void ClearLegacyColumns(EntityEntry entry, PersonalDataEntityMap map, PersonalDataRecordMap record)
    {
        foreach (var i in record.Members)
        {
            if (entry.Metadata.FindProperty(map.Members[i].Name + PersonalDataMembers.LegacySuffix) is { } legacy)
            {
                entry.CurrentValues[legacy] = null;
            }
        }
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
    internal static object? ValueToWrite(int i, bool[] changed, object?[] values, (object? Value, bool Erased)[]? stored)
        => changed[i] ? values[i] : stored is not null && !stored[i].Erased ? stored[i].Value : null;

    internal static bool SameValue(object? current, object? stored)
        => current is byte[] a && stored is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(current, stored);

    // records: receives what each record was (a save's read), or null. materialized: the entity being materialized
    // (a query's read), or null; a record it gets as erased from an envelope under a destroyed key is remembered
    // (ErasedAtRead).
    internal void ReadValues(PersonalDataEntityMap map, string? subject, byte[]? column, object keySource, (object? Value, bool Erased)[] values, StoredRecord[]? records, object? materialized)
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
    /// Every string about to be encrypted must have a UTF-8 form (no lone surrogate), checked before any key is
    /// fetched or created so that a refused save leaves no key row behind either (Art. 5(1)(d): stored exactly or refused).
    /// </summary>
    internal static void ThrowIfNotStrictText(PersonalDataEntityMap map, object?[] values, bool[] changed)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (changed[i] && values[i] is string text && !PersonalDataValueCodec.IsValidText(text))
            {
                throw new PersonalDataModelException(map.Name, map.Members[i].Name, "the string holds an unpaired surrogate (it has no UTF-8 form), so it cannot be stored exactly; nothing was saved.");
            }
        }
    }

    internal static void ReadMembers(PersonalDataEntityMap map, object entity, object?[] values)
    {
        for (var i = 0; i < map.Members.Length; i++)
        {
            values[i] = map.Members[i].Get(entity);
        }
    }

    /// <summary>The data-key version of an envelope (docs/envelope.md: bytes 2..5, big-endian); 0 when too short to say.</summary>
    internal static uint KeyVersionOf(ReadOnlySpan<byte> envelope)
        => envelope.Length >= 6 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(envelope[2..6]) : 0;

    internal static void Fill(PersonalDataEntityMap map, PersonalDataRecordMap record, (object? Value, bool Erased)[] values, bool erased)
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
        EfCoreLog.KeyLoadedDuringMaterialization(logger, record.Scope, map.Name);
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

    internal PersonalDataIntegrityException IntegrityFailed(PersonalDataEntityMap map, PersonalDataRecordMap record, object keySource, PersonalDataIntegrityException inner)
    {
        var key = KeyText(map, keySource);
        EfCoreLog.IntegrityFailed(logger, map.Name, record.MembersText, key, inner.Failure);
        return new PersonalDataIntegrityException(inner.Field, inner.SubjectPseudonym, inner.Failure, $"entity {map.Name}, key {key}, {record.MembersText} (scope {record.Scope})");
    }

    internal string? PseudonymOrNull(string? subject) => string.IsNullOrWhiteSpace(subject) ? null : keys.GetPseudonym(subject).Value;

    /// <summary>
    /// The primary key as text for messages; withheld when it contains the subject id (personal data).
    /// <paramref name="keySource"/> is a row (<see cref="PersonalDataEntityMap.ReadProperties"/> order) or the entity.
    /// </summary>
    internal static string KeyText(PersonalDataEntityMap map, object keySource)
        => KeyText(map, keySource is object?[] row
            ? new ArraySegment<object?>(row, map.SubjectCount, map.KeyProperties.Length)
            : map.KeyProperties.Select(p => p.GetGetter().GetClrValueUsingContainingEntity(keySource)));

    /// <summary>Primary-key values, in the key's order, as text for messages; withheld when the key contains the subject id.</summary>
    internal static string KeyText(PersonalDataEntityMap map, IEnumerable<object?> keyValues)
        => map.KeyIsPersonal || map.KeyProperties.Length == 0
            ? "[withheld]"
            : string.Join(",", keyValues.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
