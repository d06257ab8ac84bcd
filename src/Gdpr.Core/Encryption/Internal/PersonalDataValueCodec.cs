using System.Buffers.Binary;
using System.Text;

namespace Gdpr.Encryption;

/// <summary>
/// Turns the value types the SDK can encrypt into bytes and back, in a fixed little-endian layout that does not
/// depend on culture or platform. Storage adapters and custom data sources use it for typed members.
/// </summary>
/// <remarks>
/// Supported: <see cref="string"/>, <c>byte[]</c>, <see cref="bool"/>, <see cref="char"/>, all integer types,
/// <see cref="float"/>, <see cref="double"/>, <see cref="decimal"/>, <see cref="DateTime"/> (ticks and kind),
/// <see cref="DateTimeOffset"/> (ticks and offset), <see cref="DateOnly"/>, <see cref="TimeOnly"/>,
/// <see cref="TimeSpan"/>, <see cref="Guid"/> and enums (as their underlying type). Nullable forms are handled by
/// callers: null is stored as null, never as an envelope.
/// </remarks>
internal static class PersonalDataValueCodec
{
    // Throws on a lone surrogate instead of writing U+FFFD: personal data is stored exactly or refused (Art. 5(1)(d)).

    /// <summary>
    /// Whether a string can be encrypted exactly: it has a UTF-8 form (no unpaired surrogate). The one rule every
    /// path that encrypts a string applies (<see cref="ToBytes"/>, the field encryptor, the EF Core adapter).
    /// </summary>
    /// <param name="text">The string.</param>
    /// <returns><see langword="true"/> when it is well-formed UTF-16.</returns>
    public static bool IsValidText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan();
        var at = span.IndexOfAnyInRange('\uD800', '\uDFFF'); // vectorized; most text has no surrogate at all
        if (at < 0)
        {
            return true;
        }

        for (var i = at; i < span.Length; i++)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(span[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether values of <paramref name="type"/> (or of its nullable form's underlying type) can be encrypted.</summary>
    /// <param name="type">The member type.</param>
    /// <returns><see langword="true"/> when supported.</returns>
    public static bool IsSupported(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            t = Enum.GetUnderlyingType(t);
        }

        return t == typeof(string) || t == typeof(byte[]) || GetFixedSize(t) > 0;
    }

    /// <summary>Encodes a value.</summary>
    /// <param name="value">A non-null value of a supported type.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="NotSupportedException">The value's type is not supported.</exception>
    /// <exception cref="ArgumentException">A string holds a lone surrogate (it has no UTF-8 form).</exception>
    public static byte[] ToBytes(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value)
        {
            case string s:
                return Gdpr.Internal.StrictUtf8.Encoding.GetBytes(s);
            case byte[] b:
                return (byte[])b.Clone();
        }

        var type = value.GetType();
        if (type.IsEnum)
        {
            type = Enum.GetUnderlyingType(type);
            value = Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
        }

        var size = GetFixedSize(type);
        if (size <= 0)
        {
            throw new NotSupportedException($"Values of type {value.GetType().Name} cannot be encrypted.");
        }

        var bytes = new byte[size];
        Write(value, bytes);
        return bytes;
    }

    /// <summary>Decodes a value written by <see cref="ToBytes"/>.</summary>
    /// <param name="type">The member type (nullable forms and enums allowed).</param>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The bytes do not have the type's length, or a string's are not valid UTF-8.</exception>
    /// <exception cref="NotSupportedException">The type is not supported.</exception>
    public static object FromBytes(Type type, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(type);
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
        {
            return DecodeString(bytes);
        }

        if (t == typeof(byte[]))
        {
            return bytes.ToArray();
        }

        var enumType = t.IsEnum ? t : null;
        if (enumType is not null)
        {
            t = Enum.GetUnderlyingType(enumType);
        }

        var size = GetFixedSize(t);
        if (size <= 0)
        {
            throw new NotSupportedException($"Values of type {type.Name} cannot be decrypted.");
        }

        if (bytes.Length != size)
        {
            throw new FormatException($"A {type.Name} value takes {size} bytes, not {bytes.Length}.");
        }

        var value = Read(t, bytes);
        return enumType is null ? value : Enum.ToObject(enumType, value);
    }

    /// <summary>Encodes a value of a statically known type.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ToBytes<T>(T value)
        where T : notnull => ToBytes((object)value);

    /// <summary>Decodes a value of a statically known type.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The value.</returns>
    public static T FromBytes<T>(ReadOnlySpan<byte> bytes)
        where T : notnull
        => typeof(T) == typeof(string) ? (T)(object)DecodeString(bytes) : (T)FromBytes(typeof(T), bytes); // the JIT keeps one branch per T

    private static string DecodeString(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Gdpr.Internal.StrictUtf8.Encoding.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Never U+FFFD: bytes that are not UTF-8 were not written by ToBytes.
            throw new FormatException("The bytes of a string value are not valid UTF-8.");
        }
    }

    private static int GetFixedSize(Type t)
    {
        if (t == typeof(bool) || t == typeof(byte) || t == typeof(sbyte))
        {
            return 1;
        }

        if (t == typeof(short) || t == typeof(ushort) || t == typeof(char))
        {
            return 2;
        }

        if (t == typeof(int) || t == typeof(uint) || t == typeof(float) || t == typeof(DateOnly))
        {
            return 4;
        }

        if (t == typeof(long) || t == typeof(ulong) || t == typeof(double) || t == typeof(TimeOnly) || t == typeof(TimeSpan))
        {
            return 8;
        }

        if (t == typeof(DateTime))
        {
            return 9;
        }

        if (t == typeof(DateTimeOffset))
        {
            return 10;
        }

        return t == typeof(decimal) || t == typeof(Guid) ? 16 : 0;
    }

    private static void Write(object value, Span<byte> d)
    {
        switch (value)
        {
            case bool v: d[0] = v ? (byte)1 : (byte)0; break;
            case byte v: d[0] = v; break;
            case sbyte v: d[0] = unchecked((byte)v); break;
            case short v: BinaryPrimitives.WriteInt16LittleEndian(d, v); break;
            case ushort v: BinaryPrimitives.WriteUInt16LittleEndian(d, v); break;
            case char v: BinaryPrimitives.WriteUInt16LittleEndian(d, v); break;
            case int v: BinaryPrimitives.WriteInt32LittleEndian(d, v); break;
            case uint v: BinaryPrimitives.WriteUInt32LittleEndian(d, v); break;
            case float v: BinaryPrimitives.WriteSingleLittleEndian(d, v); break;
            case DateOnly v: BinaryPrimitives.WriteInt32LittleEndian(d, v.DayNumber); break;
            case long v: BinaryPrimitives.WriteInt64LittleEndian(d, v); break;
            case ulong v: BinaryPrimitives.WriteUInt64LittleEndian(d, v); break;
            case double v: BinaryPrimitives.WriteDoubleLittleEndian(d, v); break;
            case TimeOnly v: BinaryPrimitives.WriteInt64LittleEndian(d, v.Ticks); break;
            case TimeSpan v: BinaryPrimitives.WriteInt64LittleEndian(d, v.Ticks); break;
            case DateTime v:
                BinaryPrimitives.WriteInt64LittleEndian(d, v.Ticks);
                d[8] = (byte)v.Kind;
                break;
            case DateTimeOffset v:
                BinaryPrimitives.WriteInt64LittleEndian(d, v.Ticks);
                BinaryPrimitives.WriteInt16LittleEndian(d[8..], checked((short)v.Offset.TotalMinutes));
                break;
            case decimal v:
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(v, bits);
                for (var i = 0; i < 4; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(d[(i * 4)..], bits[i]);
                }

                break;
            case Guid v: v.TryWriteBytes(d); break;
            default: throw new NotSupportedException($"Values of type {value.GetType().Name} cannot be encrypted.");
        }
    }

    private static object Read(Type t, ReadOnlySpan<byte> s)
    {
        if (t == typeof(bool)) { return s[0] != 0; }
        if (t == typeof(byte)) { return s[0]; }
        if (t == typeof(sbyte)) { return unchecked((sbyte)s[0]); }
        if (t == typeof(short)) { return BinaryPrimitives.ReadInt16LittleEndian(s); }
        if (t == typeof(ushort)) { return BinaryPrimitives.ReadUInt16LittleEndian(s); }
        if (t == typeof(char)) { return (char)BinaryPrimitives.ReadUInt16LittleEndian(s); }
        if (t == typeof(int)) { return BinaryPrimitives.ReadInt32LittleEndian(s); }
        if (t == typeof(uint)) { return BinaryPrimitives.ReadUInt32LittleEndian(s); }
        if (t == typeof(float)) { return BinaryPrimitives.ReadSingleLittleEndian(s); }
        if (t == typeof(DateOnly)) { return DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(s)); }
        if (t == typeof(long)) { return BinaryPrimitives.ReadInt64LittleEndian(s); }
        if (t == typeof(ulong)) { return BinaryPrimitives.ReadUInt64LittleEndian(s); }
        if (t == typeof(double)) { return BinaryPrimitives.ReadDoubleLittleEndian(s); }
        if (t == typeof(TimeOnly)) { return new TimeOnly(BinaryPrimitives.ReadInt64LittleEndian(s)); }
        if (t == typeof(TimeSpan)) { return new TimeSpan(BinaryPrimitives.ReadInt64LittleEndian(s)); }
        if (t == typeof(DateTime)) { return new DateTime(BinaryPrimitives.ReadInt64LittleEndian(s), (DateTimeKind)s[8]); }
        if (t == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(s), TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(s[8..])));
        }

        if (t == typeof(decimal))
        {
            Span<int> bits = stackalloc int[4];
            for (var i = 0; i < 4; i++)
            {
                bits[i] = BinaryPrimitives.ReadInt32LittleEndian(s[(i * 4)..]);
            }

            return new decimal(bits);
        }

        return new Guid(s);
    }
}
