using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gdpr.Keys;

/// <summary>Turns subject ids into keyed pseudonyms: base64url(HMAC-SHA-256(pseudonym key, UTF-8(subject id))).</summary>
/// <remarks>
/// Every key load and every key creation computes one. A one-shot <see cref="HMACSHA256.HashData(byte[], byte[])"/>
/// sets up the keyed HMAC state each time (~1 µs here); a keyed <see cref="IncrementalHash"/> per thread, reset
/// after each hash, costs ~0.4 µs for the same result.
/// </remarks>
internal sealed class SubjectPseudonymizer : IDisposable
{
    private readonly byte[] _key;
    private readonly ThreadLocal<IncrementalHash> _hmac;

    public SubjectPseudonymizer(IOptions<GdprOptions> options)
    {
        // Copy so a caller mutating its options array later cannot change every pseudonym.
        _key = (byte[])(options.Value.PseudonymKey ?? throw new InvalidOperationException("GdprOptions.PseudonymKey is not set.")).Clone();
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key), trackAllValues: true);
    }

    public void Dispose()
    {
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }

        _hmac.Dispose();
    }

    public SubjectPseudonym Compute(string subjectId)
    {
        ThrowIfInvalidSubjectId(subjectId);
        var max = Encoding.UTF8.GetMaxByteCount(subjectId.Length);
        byte[]? rented = null;
        var utf8 = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(subjectId, utf8);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            var hmac = _hmac.Value!;
            hmac.AppendData(utf8[..length]);
            hmac.GetHashAndReset(mac);
            return new SubjectPseudonym(Base64Url.EncodeToString(mac));
        }
        finally
        {
            // The subject id is personal data: leave no copy in pooled memory.
            utf8.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    internal static void ThrowIfInvalidSubjectId(string? subjectId)
    {
        if (string.IsNullOrWhiteSpace(subjectId))
        {
            throw new ArgumentException("A data subject id is required; it was null or empty.", nameof(subjectId));
        }
    }
}
