using Gdpr.Encryption;

namespace Gdpr.Streams;

/// <summary>Seals and opens the segments of one object under its own key (derived from the scope's data key).</summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal sealed class SegmentCipher : IDisposable
{
    private readonly FieldCipher _cipher;

    public SegmentCipher(StreamHeader header, FieldCipher cipher)
    {
        Header = header;
        _cipher = cipher;
    }

    public StreamHeader Header { get; }

    public int TagSize => _cipher.TagSize;

    /// <summary>Ciphertext bytes of a full segment: the segment size plus the tag.</summary>
    public int Stride => Header.SegmentSize + _cipher.TagSize;

    public void Seal(long segment, bool final, ReadOnlySpan<byte> plaintext, Span<byte> sealedSegment)
    {
        Span<byte> nonce = stackalloc byte[_cipher.NonceSize];
        Header.WriteNonce(nonce, segment, final);
        _cipher.Encrypt(nonce, Header.Hash, plaintext, sealedSegment[..(plaintext.Length + _cipher.TagSize)]);
    }

    /// <summary>Returns false when the segment does not authenticate as segment <paramref name="segment"/> (final or not) of this object.</summary>
    public bool TryOpen(long segment, bool final, ReadOnlySpan<byte> sealedSegment, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[_cipher.NonceSize];
        Header.WriteNonce(nonce, segment, final);
        return _cipher.Decrypt(nonce, Header.Hash, sealedSegment, plaintext[..(sealedSegment.Length - _cipher.TagSize)]);
    }

    public void Dispose() => _cipher.Dispose();
}
