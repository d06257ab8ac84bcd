namespace Gdpr.Storage.EfCore.Columns;

/// <summary>
/// The framing of named byte strings the EF Core adapter stores personal data in, twice over (docs/envelope.md,
/// "The personal-data column"): the one column per row holds an entry per retention scope whose value is that
/// scope's record envelope; a record, once decrypted, holds an entry per member whose value is the member's encoded
/// value. One envelope per row and scope: one AEAD call and one column read per row instead of one per member.
/// </summary>
/// <remarks>
/// <para>Why: SQLite and EF Core pay per column and per value handed over, and each AEAD call has a fixed cost
/// however short the value, so one envelope per row and scope reads far faster than one envelope column per member
/// (the figures are in docs/benchmarks.md, EnvelopeLayoutBenchmarks).</para>
/// <para>Layout: a format byte (<see cref="FormatVersion"/>), then entries: the name's UTF-8 length (LEB128), the
/// name, the value's length (LEB128), the value. In the column an entry with an empty value is a record an erasure
/// replaced; a scope (or, in a record, a member) without an entry is null. NULL or zero bytes: no entries.</para>
/// <para>Entries are found by name, so adding or removing members or scopes keeps older rows readable; they are
/// written in the entity map's order, so a reader that walks that order finds each entry where the previous one
/// ended.</para>
/// </remarks>
internal static class PersonalDataColumn
{
    /// <summary>The first byte of every non-empty column and record.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// Finds <paramref name="name"/>'s entry. <paramref name="cursor"/> is where the search starts (0 for the start)
    /// and, when found, where the next entry begins.
    /// </summary>
    /// <returns>Whether there is such an entry; <paramref name="envelope"/> is then its value (in the column: empty when replaced).</returns>
    /// <exception cref="FormatException">The column's bytes are not a well-formed personal-data column.</exception>
    public static bool TryFind(ReadOnlySpan<byte> column, ReadOnlySpan<byte> name, ref int cursor, out Range envelope)
    {
        if (column.IsEmpty)
        {
            envelope = default;
            return false;
        }

        if (column[0] != FormatVersion)
        {
            throw new FormatException("Unknown personal-data column format.");
        }

        var start = Math.Max(cursor, 1);

        // From the cursor to the end, then from the first entry to the cursor: in order, one step per member.
        if (Scan(column, name, start, column.Length, ref cursor, out envelope) || (start > 1 && Scan(column, name, 1, start, ref cursor, out envelope)))
        {
            return true;
        }

        return false;
    }

    /// <summary>Each entry's name and value, in stored order.</summary>
    /// <exception cref="FormatException">The column's bytes are not a well-formed personal-data column.</exception>
    public static List<(byte[] Name, ReadOnlyMemory<byte> Envelope)> ReadAll(byte[]? column)
    {
        var entries = new List<(byte[], ReadOnlyMemory<byte>)>();
        if (column is null or [])
        {
            return entries;
        }

        if (column[0] != FormatVersion)
        {
            throw new FormatException("Unknown personal-data column format.");
        }

        var at = 1;
        while (at < column.Length)
        {
            var name = ReadPart(column, ref at);
            var envelope = ReadPart(column, ref at);
            entries.Add((column[name], column.AsMemory(envelope)));
        }

        return entries;
    }

    /// <summary>Writes (name, value) entries; <see langword="null"/> when there are none.</summary>
    public static byte[]? Write(IReadOnlyList<(byte[] Name, ReadOnlyMemory<byte> Envelope)> entries)
    {
        if (entries.Count == 0)
        {
            return null;
        }

        var length = 1;
        foreach (var (name, envelope) in entries)
        {
            length += SizeOf(name.Length) + name.Length + SizeOf(envelope.Length) + envelope.Length;
        }

        var column = new byte[length];
        column[0] = FormatVersion;
        var at = 1;
        foreach (var (name, envelope) in entries)
        {
            at += WritePart(column.AsSpan(at), name);
            at += WritePart(column.AsSpan(at), envelope.Span);
        }

        return column;
    }

    private static bool Scan(ReadOnlySpan<byte> column, ReadOnlySpan<byte> name, int from, int to, ref int cursor, out Range envelope)
    {
        var at = from;
        while (at < to)
        {
            var entryName = ReadPart(column, ref at);
            var entryEnvelope = ReadPart(column, ref at);
            if (column[entryName].SequenceEqual(name))
            {
                envelope = entryEnvelope;
                cursor = at;
                return true;
            }
        }

        envelope = default;
        return false;
    }

    private static Range ReadPart(ReadOnlySpan<byte> column, ref int at)
    {
        var length = ReadLength(column, ref at);
        if (length > column.Length - at)
        {
            throw new FormatException("A personal-data column entry runs past the end of the column.");
        }

        var part = new Range(at, at + length);
        at += length;
        return part;
    }

    /// <summary>
    /// Unsigned LEB128 in its one canonical form: at most five bytes, at most <see cref="int.MaxValue"/>, and no
    /// redundant high zero bytes (<c>80 00</c> for 0). Anything else is refused, never truncated or reinterpreted:
    /// two different byte strings never frame the same entries.
    /// </summary>
    private static int ReadLength(ReadOnlySpan<byte> column, ref int at)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= column.Length)
            {
                throw new FormatException("A personal-data column ends inside an entry.");
            }

            var b = column[at++];
            if (shift == 28 && (b & 0xF8) != 0)
            {
                // The fifth byte carries bits 28..30 only; more would be bits past int.MaxValue (or a sixth byte).
                throw new FormatException("A personal-data column entry length is out of range.");
            }

            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && shift > 0)
                {
                    throw new FormatException("A personal-data column entry length is not in its shortest form.");
                }

                return (int)value;
            }
        }

        throw new FormatException("A personal-data column entry length is malformed.");
    }

    private static int SizeOf(int length)
    {
        var size = 1;
        for (var v = (uint)length; v >= 0x80; v >>= 7)
        {
            size++;
        }

        return size;
    }

    private static int WritePart(Span<byte> destination, ReadOnlySpan<byte> part)
    {
        var at = 0;
        var v = (uint)part.Length;
        while (v >= 0x80)
        {
            destination[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[at++] = (byte)v;
        part.CopyTo(destination[at..]);
        return at + part.Length;
    }
}
