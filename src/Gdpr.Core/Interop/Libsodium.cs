using System.Runtime.InteropServices;

namespace Gdpr.Interop;

/// <summary>
/// The few libsodium functions the field cipher calls directly: the same library, and the same AEGIS-256 calls,
/// that NSec makes. NSec keeps every key in its own guarded allocation (an mmap, mprotect and mlock to create it,
/// an munmap to free it, and a TLB shootdown per key), which made a new data subject cost more than the
/// rows written for it. The field keys live in a <see cref="KeyArena"/> instead.
/// </summary>
internal static partial class Libsodium
{
    // Resolved like NSec's own imports: the libsodium package ships the native library for each runtime.
    private const string Library = "libsodium";

    static Libsodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium could not be initialized.");
        }
    }

    /// <summary>Runs the static initializer (sodium_init) before the first allocation or AEAD call.</summary>
    public static void EnsureInitialized()
    {
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    /// <summary>Guarded, locked (best effort) memory that is excluded from core dumps: one call per slab of keys.</summary>
    [LibraryImport(Library)]
    internal static partial nint sodium_malloc(nuint size);

    [LibraryImport(Library)]
    internal static partial void sodium_memzero(nint pointer, nuint length);

    // Buffers go by reference to their first byte (pinned for the call, as NSec passes them) rather than as spans,
    // which the generated marshalling handles with more steps per argument. Callers pass
    // MemoryMarshal.GetReference(span) and the matching length.

    /// <summary>AEGIS-256, combined mode: <paramref name="c"/> receives the ciphertext followed by the 32-byte tag.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_aead_aegis256_encrypt(
        ref byte c, nint clenP, in byte m, ulong mlen, in byte ad, ulong adlen, nint nsec, in byte npub, KeySlotHandle k);

    /// <summary>Returns -1, and writes no plaintext, when the tag does not verify.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_aead_aegis256_decrypt(
        ref byte m, nint mlenP, nint nsec, in byte c, ulong clen, in byte ad, ulong adlen, in byte npub, KeySlotHandle k);

    /// <summary>HMAC-SHA-256 (RFC 2104) with a key of exactly 32 bytes.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_auth_hmacsha256(ref byte @out, in byte @in, ulong inlen, in byte k);

    [LibraryImport(Library)]
    internal static partial nuint crypto_auth_hmacsha256_statebytes();

    /// <summary>Keys an HMAC-SHA-256 state (a key of any length); the state holds no pointer and may be copied.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_auth_hmacsha256_init(ref byte state, in byte key, nuint keylen);

    [LibraryImport(Library)]
    internal static partial int crypto_auth_hmacsha256_update(ref byte state, in byte @in, ulong inlen);

    [LibraryImport(Library)]
    internal static partial int crypto_auth_hmacsha256_final(ref byte state, ref byte @out);
}
