using System.Buffers.Binary;
using System.Text;

namespace Gdpr.Encryption;

/// <summary>
/// The stored form of an encrypted value (docs/envelope.md describes it byte by byte):
/// <code>
/// [0]      format version (1)
/// [1]      algorithm id (1 = AEGIS-256, 2 = AES-256-GCM)
/// [2..5]   data-key version, unsigned 32-bit big-endian
/// [6..]    nonce (32 or 12 bytes), ciphertext (as long as the plaintext), tag (32 or 16 bytes)
/// </code>
/// The associated data is the 6-byte header, the subject's pseudonym, the scope and the field identity, so that
/// no header byte can change and no ciphertext can move to another subject, scope or column unnoticed.
/// </summary>
internal static class Envelope
{
    public const byte FormatVersion = 1;
    public const int HeaderSize = 6;

    public static int GetLength(FieldEncryptionAlgorithm algorithm, int plaintextLength)
        => HeaderSize + FieldCipher.GetNonceSize(algorithm) + plaintextLength + FieldCipher.GetTagSize(algorithm);

    public static void WriteHeader(Span<byte> envelope, FieldEncryptionAlgorithm algorithm, int keyVersion)
    {
        envelope[0] = FormatVersion;
        envelope[1] = (byte)algorithm;
        BinaryPrimitives.WriteUInt32BigEndian(envelope[2..], (uint)keyVersion);
    }

    /// <summary>Reads the header; returns the failure, or null when it is well formed and long enough.</summary>
    public static IntegrityFailure? TryReadHeader(ReadOnlySpan<byte> envelope, out FieldEncryptionAlgorithm algorithm, out uint keyVersion, out int plaintextLength)
    {
        algorithm = default;
        keyVersion = 0;
        plaintextLength = -1;
        if (envelope.Length < HeaderSize)
        {
            return IntegrityFailure.Truncated;
        }

        if (envelope[0] != FormatVersion)
        {
            return IntegrityFailure.UnsupportedFormat;
        }

        algorithm = (FieldEncryptionAlgorithm)envelope[1];
        var nonceSize = FieldCipher.GetNonceSize(algorithm);
        if (nonceSize < 0)
        {
            return IntegrityFailure.UnknownAlgorithm;
        }

        keyVersion = BinaryPrimitives.ReadUInt32BigEndian(envelope[2..]);
        plaintextLength = envelope.Length - HeaderSize - nonceSize - FieldCipher.GetTagSize(algorithm);
        return plaintextLength < 0 ? IntegrityFailure.Truncated : null;
    }

    /// <summary>The most bytes the associated data of a field can take.</summary>
    public static int GetMaxAssociatedDataLength(int prefixLength, in FieldAddress field)
    {
        // The span API reaches here with whatever the caller passed: say what is missing rather than
        // NullReferenceException. (A null or empty scope never gets this far: no cached key has one.)
        if (string.IsNullOrEmpty(field.Field))
        {
            throw new ArgumentException("A field address needs a scope and a field identity.", nameof(field));
        }

        return HeaderSize + prefixLength + Gdpr.Internal.StrictUtf8.Encoding.GetMaxByteCount(field.Field.Length);
    }

    /// <summary>
    /// header ‖ pseudonym ‖ 0x00 ‖ scope ‖ 0x00 ‖ field (UTF-8), where the middle part is the key entry's precomputed
    /// prefix. Scope and field names contain no NUL, so the parts cannot be shifted into one another.
    /// </summary>
    public static int WriteAssociatedData(Span<byte> destination, ReadOnlySpan<byte> header, ReadOnlySpan<byte> subjectAndScope, in FieldAddress field)
    {
        header[..HeaderSize].CopyTo(destination);
        subjectAndScope.CopyTo(destination[HeaderSize..]);
        var at = HeaderSize + subjectAndScope.Length;

        // Field identities are C# member names, nearly always ASCII, for which the ASCII path is leaner; the UTF-8
        // bytes of an ASCII string are the same.
        var tail = destination[at..];
        return at + (System.Text.Ascii.FromUtf16(field.Field, tail, out var written) == System.Buffers.OperationStatus.Done
            ? written
            : Gdpr.Internal.StrictUtf8.Encoding.GetBytes(field.Field, tail));
    }
}
