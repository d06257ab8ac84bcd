using System.Security.Cryptography;

namespace Gdpr.Encryption;

/// <summary>
/// Hands out random nonces from a per-thread buffer refilled in bulk. One <see cref="RandomNumberGenerator.Fill"/>
/// call costs more than an AEAD over a short field, so drawing 4 KiB at a time keeps it off the hot path.
/// </summary>
internal static class NonceSource
{
    private const int BufferSize = 4096;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_offset;

    public static void Fill(Span<byte> nonce)
    {
        var buffer = t_buffer;
        if (buffer is null || t_offset + nonce.Length > BufferSize)
        {
            buffer ??= t_buffer = new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            t_offset = 0;
        }

        var source = buffer.AsSpan(t_offset, nonce.Length);
        source.CopyTo(nonce);
        // Never hand out the same bytes twice, even if a later bug rewinds the offset.
        source.Clear();
        t_offset += nonce.Length;
    }
}
