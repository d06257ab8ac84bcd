using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gdpr.Keys;

/// <summary>Turns subject ids into keyed pseudonyms: base64url(HMAC-SHA-256(pseudonym key, UTF-8(subject id))).</summary>
internal sealed class SubjectPseudonymizer
{
    private readonly byte[] _key;

    public SubjectPseudonymizer(IOptions<GdprOptions> options)
    {
        // Copy so a caller mutating its options array later cannot change every pseudonym.
        _key = (byte[])(options.Value.PseudonymKey ?? throw new InvalidOperationException("GdprOptions.PseudonymKey is not set.")).Clone();
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
            HMACSHA256.HashData(_key, utf8[..length], mac);
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
