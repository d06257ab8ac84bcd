using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gdpr.Encryption;

namespace Gdpr.Streams;

/// <summary>
/// The header of an encrypted object, and the nonces of its segments (docs/streams.md describes both byte by byte):
/// <code>
/// [0..3]    magic "GDPS"
/// [4]       format version (1)
/// [5]       algorithm id (1 = AEGIS-256, 2 = AES-256-GCM)
/// [6..9]    data-key version, uint32 big-endian
/// [10..13]  segment size (plaintext bytes of every segment but the last), uint32 big-endian
/// [14..45]  salt (32 random bytes): with the object id, makes the object's key (HKDF-SHA-256 of the data key)
/// [46..]    nonce prefix (23 bytes for AEGIS-256, 7 for AES-256-GCM, random)
/// then      object id length (uint16 big-endian) and the object id (ASCII)
/// </code>
/// Segment nonce: prefix ‖ segment number (uint64 BE for AEGIS-256, uint32 BE for AES-256-GCM) ‖ final flag (1 byte).
/// Every segment's associated data is the SHA-256 of the whole header.
/// </summary>
internal sealed class StreamHeader
{
    public const byte FormatVersion = 1;
    public const int SaltSize = 32;
    public const int HashSize = 32;
    public const int DefaultSegmentSize = 64 * 1024;
    public const int MinSegmentSize = 1024;
    public const int MaxSegmentSize = 16 * 1024 * 1024;

    /// <summary>The longest a header can be: fixed part, the AEGIS-256 prefix, the id's length and the longest id.</summary>
    public const int MaxSize = FixedSize + 23 + 2 + Streams.ObjectId.MaxLength;

    private const int FixedSize = 46;
    private static ReadOnlySpan<byte> Magic => "GDPS"u8;
    private static ReadOnlySpan<byte> KeyLabel => "gdpr.stream.v1"u8;

    private StreamHeader(byte[] bytes, FieldEncryptionAlgorithm algorithm, uint keyVersion, int segmentSize, string objectId)
    {
        Bytes = bytes;
        Algorithm = algorithm;
        KeyVersion = keyVersion;
        SegmentSize = segmentSize;
        ObjectId = objectId;
        Hash = SHA256.HashData(bytes);
    }

    public byte[] Bytes { get; }

    public FieldEncryptionAlgorithm Algorithm { get; }

    public uint KeyVersion { get; }

    public int SegmentSize { get; }

    public string ObjectId { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: every segment's associated data.</summary>
    public byte[] Hash { get; }

    public int NonceSize => FieldCipher.GetNonceSize(Algorithm);

    public int TagSize => FieldCipher.GetTagSize(Algorithm);

    public ReadOnlySpan<byte> Salt => Bytes.AsSpan(14, SaltSize);

    private ReadOnlySpan<byte> NoncePrefix => Bytes.AsSpan(FixedSize, GetPrefixSize(Algorithm));

    /// <summary>A new header with a fresh salt and nonce prefix.</summary>
    public static StreamHeader Create(FieldEncryptionAlgorithm algorithm, int keyVersion, int segmentSize, string objectId)
    {
        var prefix = GetPrefixSize(algorithm);
        var bytes = new byte[FixedSize + prefix + 2 + objectId.Length];
        Magic.CopyTo(bytes);
        bytes[4] = FormatVersion;
        bytes[5] = (byte)algorithm;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(6), (uint)keyVersion);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(10), (uint)segmentSize);
        RandomNumberGenerator.Fill(bytes.AsSpan(14, SaltSize + prefix));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(FixedSize + prefix), (ushort)objectId.Length);
        Encoding.ASCII.GetBytes(objectId, bytes.AsSpan(FixedSize + prefix + 2));
        return new StreamHeader(bytes, algorithm, (uint)keyVersion, segmentSize, objectId);
    }

    /// <summary>Parses the start of a blob; returns the failure, or null with the header (not yet authenticated: the segments do that).</summary>
    public static IntegrityFailure? TryParse(ReadOnlySpan<byte> start, out StreamHeader? header)
    {
        header = null;
        if (start.Length < FixedSize)
        {
            return start.Length >= 5 && start[..4].SequenceEqual(Magic) ? IntegrityFailure.Truncated : IntegrityFailure.UnsupportedFormat;
        }

        if (!start[..4].SequenceEqual(Magic) || start[4] != FormatVersion)
        {
            return IntegrityFailure.UnsupportedFormat;
        }

        var algorithm = (FieldEncryptionAlgorithm)start[5];
        if (FieldCipher.GetNonceSize(algorithm) < 0)
        {
            return IntegrityFailure.UnknownAlgorithm;
        }

        var keyVersion = BinaryPrimitives.ReadUInt32BigEndian(start[6..]);
        var segmentSize = BinaryPrimitives.ReadUInt32BigEndian(start[10..]);

        // Bounded before anything is allocated from it: a forged header must not make the reader rent gigabytes.
        if (segmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            return IntegrityFailure.UnsupportedFormat;
        }

        var at = FixedSize + GetPrefixSize(algorithm);
        if (start.Length < at + 2)
        {
            return IntegrityFailure.Truncated;
        }

        var idLength = BinaryPrimitives.ReadUInt16BigEndian(start[at..]);
        if (idLength is 0 or > Streams.ObjectId.MaxLength)
        {
            return IntegrityFailure.UnsupportedFormat;
        }

        if (start.Length < at + 2 + idLength)
        {
            return IntegrityFailure.Truncated;
        }

        var idBytes = start.Slice(at + 2, idLength);
        if (!Ascii.IsValid(idBytes))
        {
            return IntegrityFailure.UnsupportedFormat;
        }

        header = new StreamHeader(start[..(at + 2 + idLength)].ToArray(), algorithm, keyVersion, (int)segmentSize, Encoding.ASCII.GetString(idBytes));
        return null;
    }

    /// <summary>"gdpr.stream.v1" ‖ 0x00 ‖ algorithm id ‖ object id: HKDF's info, binding the key to the algorithm and the object.</summary>
    public byte[] GetKeyInfo()
    {
        var info = new byte[KeyLabel.Length + 2 + ObjectId.Length];
        KeyLabel.CopyTo(info);
        info[KeyLabel.Length + 1] = (byte)Algorithm;
        Encoding.ASCII.GetBytes(ObjectId, info.AsSpan(KeyLabel.Length + 2));
        return info;
    }

    /// <summary>prefix ‖ segment number (big-endian) ‖ final flag.</summary>
    public void WriteNonce(Span<byte> nonce, long segment, bool final)
    {
        var prefix = NoncePrefix;
        prefix.CopyTo(nonce);
        if (Algorithm == FieldEncryptionAlgorithm.Aes256Gcm)
        {
            BinaryPrimitives.WriteUInt32BigEndian(nonce[prefix.Length..], checked((uint)segment));
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce[prefix.Length..], (ulong)segment);
        }

        nonce[^1] = final ? (byte)1 : (byte)0;
    }

    /// <summary>The most segments an object can have: the segment number must fit its nonce field.</summary>
    public long MaxSegments => Algorithm == FieldEncryptionAlgorithm.Aes256Gcm ? uint.MaxValue : long.MaxValue;

    private static int GetPrefixSize(FieldEncryptionAlgorithm algorithm)
        => algorithm == FieldEncryptionAlgorithm.Aes256Gcm ? 12 - 4 - 1 : 32 - 8 - 1;
}
