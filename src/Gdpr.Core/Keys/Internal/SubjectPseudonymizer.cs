using System.Buffers.Text;
using System.Security.Cryptography;
using Gdpr.Interop;
using Microsoft.Extensions.Options;

namespace Gdpr.Keys;

/// <summary>Turns subject ids into keyed pseudonyms: base64url(HMAC-SHA-256(pseudonym key, UTF-8(subject id))).</summary>
/// <remarks>
/// <para>Every key load and every key creation computes one: from a keyed HMAC state made once and copied per
/// hash (<see cref="HmacSha256"/>), rather than keying an HMAC each time.</para>
/// <para>Subject ids are checked strictly (<see cref="ThrowIfInvalidSubjectId"/>) and encoded with the one strict UTF-8
/// encoding of the SDK: lenient UTF-8 maps every lone surrogate to U+FFFD, so "SUBJ-\uD800" and "SUBJ-\uDBFF" would
/// share a pseudonym, a key and an erasure.</para>
/// </remarks>
internal sealed class SubjectPseudonymizer : IDisposable
{
    // A NUL first: no subject id can contain one, so no subject's pseudonym can equal the key-check value.
    private static readonly byte[] KeyCheckLabel = "\0gdpr.pseudonym-key-check.v1"u8.ToArray();

    private const int MaxUtf8Length = InvalidSubjectIdException.MaxLength * 3;

    private readonly byte[] _keyedState;

    public SubjectPseudonymizer(IOptions<GdprOptions> options)
    {
        // Keyed once from the options' bytes, so a caller mutating its options array later cannot change every pseudonym.
        _keyedState = HmacSha256.CreateKeyedState(options.Value.PseudonymKey ?? throw new InvalidOperationException("GdprOptions.PseudonymKey is not set."));
    }

    private bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_keyedState);
    }

    public SubjectPseudonym Compute(string subjectId)
    {
        ThrowIfInvalidSubjectId(subjectId);
        Span<byte> utf8 = stackalloc byte[MaxUtf8Length];
        try
        {
            // Strict: throws on a lone surrogate (already refused above; this is the second line of defence).
            var length = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(subjectId, utf8);
            return Hash(utf8[..length]);
        }
        finally
        {
            // The subject id is personal data: leave no copy on the stack.
            utf8.Clear();
        }
    }

    /// <summary>
    /// The key-check value of the pseudonym key: a keyed hash of a fixed label, kept in the key store so that a start
    /// with another pseudonym key is detected. It reveals nothing of the key and cannot be reversed.
    /// </summary>
    public string ComputeKeyCheck() => Hash(KeyCheckLabel).Value;

    /// <summary>The pseudonym of an SDK-owned key's label, which must begin with NUL so that no subject id can equal it.</summary>
    public SubjectPseudonym ComputeReserved(ReadOnlySpan<byte> label)
    {
        if (label.IsEmpty || label[0] != 0)
        {
            throw new ArgumentException("A reserved label begins with NUL.", nameof(label));
        }

        return Hash(label);
    }

    private SubjectPseudonym Hash(ReadOnlySpan<byte> data)
    {
        // A wiped state would hash under an all-zero key: every pseudonym wrong, silently.
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> mac = stackalloc byte[HmacSha256.Size];
        HmacSha256.ComputeFromState(_keyedState, data, mac);
        return new SubjectPseudonym(Base64Url.EncodeToString(mac));
    }

    /// <summary>
    /// Refuses a subject id before anything is computed or stored: missing (null or blank, an
    /// <see cref="ArgumentException"/>), too long, or holding a control character or a lone surrogate
    /// (<see cref="InvalidSubjectIdException"/>). Those are what PostgreSQL cannot store in a text column (NUL, invalid
    /// UTF-8) and what makes two different ids collide or look alike; the rule is the same for every database.
    /// </summary>
    internal static void ThrowIfInvalidSubjectId(string? subjectId)
    {
        if (string.IsNullOrWhiteSpace(subjectId))
        {
            throw new ArgumentException("A data subject id is required; it was null or empty.", nameof(subjectId));
        }

        if (subjectId.Length > InvalidSubjectIdException.MaxLength)
        {
            throw new InvalidSubjectIdException($"it is longer than {InvalidSubjectIdException.MaxLength} characters");
        }

        for (var i = 0; i < subjectId.Length; i++)
        {
            var c = subjectId[i];
            if (char.IsControl(c))
            {
                throw new InvalidSubjectIdException(c == '\0'
                    ? $"it contains a NUL character at position {i}"
                    : $"it contains a control character at position {i}");
            }

            if (char.IsHighSurrogate(c) && i + 1 < subjectId.Length && char.IsLowSurrogate(subjectId[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new InvalidSubjectIdException($"it contains a lone UTF-16 surrogate at position {i}, which is not text");
            }
        }
    }
}
