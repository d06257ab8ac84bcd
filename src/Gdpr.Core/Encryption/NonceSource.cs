using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gdpr.Encryption;

/// <summary>
/// Hands out nonces: a random starting point per thread, then a counter added into its last 8 bytes.
/// </summary>
/// <remarks>
/// AEADs need nonces that never repeat under one key; they need not be unpredictable. A random 256-bit start
/// (96-bit for AES-GCM) followed by consecutive values overlaps another thread's or node's run with the same
/// negligible probability as fresh random nonces. Drawing 32 random bytes per value instead costs ~30 ns here
/// (getrandom is slow per byte on this class of VM), a third of the AEAD itself on a short field; this way
/// <see cref="RandomNumberGenerator.Fill"/> runs once per <see cref="NoncesPerStart"/> nonces.
/// </remarks>
internal static class NonceSource
{
    private const int MaxNonceSize = 32;
    private const int NoncesPerStart = 1 << 16;

    [ThreadStatic]
    private static byte[]? t_start;

    [ThreadStatic]
    private static int t_used;

    public static void Fill(Span<byte> nonce)
    {
        var start = t_start;
        if (start is null || t_used >= NoncesPerStart)
        {
            start ??= t_start = new byte[MaxNonceSize];
            RandomNumberGenerator.Fill(start);
            t_used = 0;
        }

        start.AsSpan(0, nonce.Length).CopyTo(nonce);
        var counter = nonce[^8..];
        BinaryPrimitives.WriteUInt64LittleEndian(counter, unchecked(BinaryPrimitives.ReadUInt64LittleEndian(counter) + (ulong)t_used));
        t_used++;
    }
}
