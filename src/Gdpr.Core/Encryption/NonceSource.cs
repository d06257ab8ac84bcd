using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gdpr.Encryption;

/// <summary>
/// Hands out nonces: a random starting point per thread, then a counter added into its last 8 bytes.
/// </summary>
/// <remarks>
/// AEADs need nonces that never repeat under one key; they need not be unpredictable. A random 256-bit start
/// (96-bit for AES-GCM) followed by consecutive values overlaps another thread's or node's run with the same
/// negligible probability as fresh random nonces. Drawing 32 random bytes per value instead costs a large share of
/// the AEAD itself on a short field (getrandom is slow per byte on virtual machines; docs/benchmarks.md); this way
/// <see cref="RandomNumberGenerator.Fill"/> runs once per <see cref="NoncesPerStart"/> nonces.
/// </remarks>
internal static class NonceSource
{
    private const int MaxNonceSize = 32;
    private const int NoncesPerStart = 1 << 16;

    // One thread-static object rather than two thread-static fields: one thread-local lookup per nonce.
    [ThreadStatic]
    private static State? t_state;

    public static void Fill(Span<byte> nonce)
    {
        var state = t_state ??= new State();
        if (state.Used >= NoncesPerStart)
        {
            RandomNumberGenerator.Fill(state.Start);
            state.Used = 0;
        }

        state.Start.AsSpan(0, nonce.Length).CopyTo(nonce);
        var counter = nonce[^8..];
        BinaryPrimitives.WriteUInt64LittleEndian(counter, unchecked(BinaryPrimitives.ReadUInt64LittleEndian(counter) + (ulong)state.Used));
        state.Used++;
    }

    private sealed class State
    {
        public State() => RandomNumberGenerator.Fill(Start);

        public byte[] Start { get; } = new byte[MaxNonceSize];

        public int Used { get; set; }
    }
}
