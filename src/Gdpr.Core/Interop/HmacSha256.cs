using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gdpr.Interop;

/// <summary>
/// HMAC-SHA-256 through libsodium: the same function as <see cref="HMACSHA256"/> (so every stored pseudonym and
/// derived subkey stays what it was), without the platform library's context set-up and error-queue work per call,
/// which made a new data subject's two HMACs cost more than its key row. docs/benchmarks.md has the figures.
/// </summary>
internal static class HmacSha256
{
    /// <summary>The size of a MAC, and of the key <see cref="ComputeWithKey"/> takes.</summary>
    public const int Size = 32;

    private static readonly int StateSize = checked((int)Libsodium.crypto_auth_hmacsha256_statebytes());

    // The state of libsodium 1.0.x is 208 bytes; room to spare for a later version.
    private const int MaxStateSize = 512;

    /// <summary>One MAC under a 32-byte key.</summary>
    /// <param name="key">The key; exactly <see cref="Size"/> bytes.</param>
    /// <param name="data">The message.</param>
    /// <param name="mac">Receives the <see cref="Size"/>-byte MAC.</param>
    public static void ComputeWithKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(key.Length, Size, nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(mac.Length, Size, nameof(mac));
        Libsodium.EnsureInitialized();
        Libsodium.crypto_auth_hmacsha256(ref MemoryMarshal.GetReference(mac), in MemoryMarshal.GetReference(data), (ulong)data.Length, in MemoryMarshal.GetReference(key));
    }

    /// <summary>
    /// A keyed state for many MACs under one key of any length (<see cref="ComputeFromState"/>).
    /// It is as secret as the key: pinned, and for the caller to wipe.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>The state.</returns>
    public static byte[] CreateKeyedState(ReadOnlySpan<byte> key)
    {
        Libsodium.EnsureInitialized();
        if (StateSize > MaxStateSize)
        {
            throw new InvalidOperationException($"libsodium's HMAC-SHA-256 state takes {StateSize} bytes; the SDK expects at most {MaxStateSize}.");
        }

        var state = GC.AllocateArray<byte>(StateSize, pinned: true);
        Libsodium.crypto_auth_hmacsha256_init(ref state[0], in MemoryMarshal.GetReference(key), (nuint)key.Length);
        return state;
    }

    /// <summary>One MAC from a keyed state (<see cref="CreateKeyedState"/>), which is copied, not changed: thread-safe.</summary>
    /// <param name="keyedState">The keyed state.</param>
    /// <param name="data">The message.</param>
    /// <param name="mac">Receives the <see cref="Size"/>-byte MAC.</param>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static void ComputeFromState(byte[] keyedState, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(keyedState.Length, StateSize, nameof(keyedState));
        ArgumentOutOfRangeException.ThrowIfLessThan(mac.Length, Size, nameof(mac));
        Span<byte> state = stackalloc byte[MaxStateSize];
        state = state[..keyedState.Length];
        keyedState.CopyTo(state);
        try
        {
            Libsodium.crypto_auth_hmacsha256_update(ref MemoryMarshal.GetReference(state), in MemoryMarshal.GetReference(data), (ulong)data.Length);
            Libsodium.crypto_auth_hmacsha256_final(ref MemoryMarshal.GetReference(state), ref MemoryMarshal.GetReference(mac));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(state);
        }
    }
}
