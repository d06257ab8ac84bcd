using System.Buffers.Binary;
using System.Security.Cryptography;
using Gdpr.Interop;

namespace Gdpr.Search;

/// <summary>
/// Computes blind-index values under one epoch's root key: per index a key derived with HKDF-SHA-256 from the root key
/// and the index's entity, name and members; the value is HMAC-SHA-256 under that key of the normalized parts (each
/// length-prefixed, so compound parts cannot run into each other), its first <see cref="BlindIndexDefinition.Bits"/>
/// bits read as an unsigned integer.
/// </summary>
/// <remarks>The hasher holds derived keys: it is as secret as the root key, and disposing it wipes them.</remarks>
internal sealed class BlindIndexHasher : IDisposable
{
    private const int KeySize = 32;
    private static readonly byte[] Salt = "gdpr.blind-index.salt.v1"u8.ToArray();

    private readonly byte[] _rootKey;
    private readonly string _defaultPhoneRegion;
    private readonly Dictionary<BlindIndexDefinition, byte[]> _indexKeys = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <param name="rootKey">The epoch's 32-byte root key; copied.</param>
    /// <param name="defaultPhoneRegion">The region for phone numbers without a country code.</param>
    public BlindIndexHasher(ReadOnlySpan<byte> rootKey, string defaultPhoneRegion)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(rootKey.Length, KeySize, nameof(rootKey));
        _rootKey = GC.AllocateArray<byte>(KeySize, pinned: true);
        rootKey.CopyTo(_rootKey);
        _defaultPhoneRegion = defaultPhoneRegion;
    }

    /// <summary>The index value of one row's member values (in the index's member order); null when a part has none.</summary>
    public long? Compute(BlindIndexDefinition index, IReadOnlyList<string?> values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Count, index.Members.Count, nameof(values));
        var parts = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (BlindIndexNormalizer.Normalize(index.Normalizations[i], values[i], _defaultPhoneRegion) is not { } part)
            {
                return null;
            }

            parts[i] = part;
        }

        var length = 0;
        foreach (var part in parts)
        {
            length += 4 + Gdpr.Internal.StrictUtf8.Encoding.GetByteCount(part);
        }

        var message = new byte[length];
        try
        {
            var offset = 0;
            foreach (var part in parts)
            {
                var written = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(part, message.AsSpan(offset + 4));
                BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(offset), written);
                offset += 4 + written;
            }

            Span<byte> mac = stackalloc byte[HmacSha256.Size];
            HmacSha256.ComputeWithKey(IndexKey(index), message, mac);
            var value = BinaryPrimitives.ReadUInt64BigEndian(mac);
            CryptographicOperations.ZeroMemory(mac);
            return (long)(value >> (64 - index.Bits));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(message);
        }
    }

    public void Dispose()
    {
        lock (_indexKeys)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CryptographicOperations.ZeroMemory(_rootKey);
            foreach (var key in _indexKeys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            _indexKeys.Clear();
        }
    }

    private byte[] IndexKey(BlindIndexDefinition index)
    {
        lock (_indexKeys)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_indexKeys.TryGetValue(index, out var key))
            {
                key = GC.AllocateArray<byte>(KeySize, pinned: true);
                HKDF.DeriveKey(HashAlgorithmName.SHA256, _rootKey, key, Salt, index.DerivationInfo());
                _indexKeys[index] = key;
            }

            return key;
        }
    }
}
