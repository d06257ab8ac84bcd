using Gdpr.Interop;
using System.Security.Cryptography;
using System.Text;
using Gdpr.Encryption;

namespace Gdpr.Keys;

/// <summary>
/// One subject's unwrapped data key for one scope, as the cache holds it — or the knowledge that the scope has no
/// live key (then only the version bookkeeping is kept, so reads of shredded values answer "erased" at once).
/// </summary>
/// <remarks>
/// Disposed (key bytes wiped) the moment the cache lets go of it, even while another thread is using it. That is
/// safe: the AEGIS-256 subkey (<see cref="KeySlotHandle"/>) and <see cref="AesGcm"/> live behind SafeHandles, so an
/// operation racing a dispose fails with
/// <see cref="ObjectDisposedException"/> — never touches freed memory — and the engine reloads the key. Counting
/// references instead would cost every encryption two interlocked operations and delay the wipe after a shred.
/// </remarks>
internal sealed class DataKeyEntry : IDisposable
{
    // In a KeyArena slot, like the subkeys: outside the GC heap (no pinned array per key, which the GC only frees in
    // full collections), excluded from core dumps, wiped when the handle is released.
    private readonly KeySlotHandle? _dataKey;
    // Fields rather than an array: one pointer fewer to follow per value, for entries no longer in the CPU cache.
    private FieldCipher? _aegis;
    private FieldCipher? _aes;
    private int _disposed;

    public DataKeyEntry(string subjectId, string scope, SubjectPseudonym pseudonym, int liveVersion, int lastShreddedVersion, ReadOnlySpan<byte> dataKey, long loadedAt)
    {
        SubjectId = subjectId;
        Scope = scope;
        Pseudonym = pseudonym;
        LiveVersion = liveVersion;
        LastShreddedVersion = lastShreddedVersion;
        LoadedAt = loadedAt;

        // pseudonym ‖ 0x00 ‖ scope ‖ 0x00: the part of every value's associated data that only depends on the entry.
        var pseudonymLength = Gdpr.Internal.StrictUtf8.Encoding.GetByteCount(pseudonym.Value);
        AssociatedDataPrefix = new byte[pseudonymLength + 1 + Gdpr.Internal.StrictUtf8.Encoding.GetByteCount(scope) + 1];
        Gdpr.Internal.StrictUtf8.Encoding.GetBytes(pseudonym.Value, AssociatedDataPrefix);
        Gdpr.Internal.StrictUtf8.Encoding.GetBytes(scope, AssociatedDataPrefix.AsSpan(pseudonymLength + 1));

        if (liveVersion > 0)
        {
            _dataKey = KeySlotHandle.Create(dataKey[..KeyArena.SlotSize]);
        }
    }

    public string SubjectId { get; }

    /// <summary>The cache holding the entry; null while it is private to one operation.</summary>
    public DataKeyCache? Owner { get; set; }

    public string Scope { get; }

    public SubjectPseudonym Pseudonym { get; }

    public byte[] AssociatedDataPrefix { get; }

    /// <summary>The version of the live key, or 0 when the scope has none.</summary>
    public int LiveVersion { get; }

    public int LastShreddedVersion { get; }

    /// <summary>When the entry was loaded, in the owning cache's time units (<see cref="DataKeyCache.Now"/>).</summary>
    public long LoadedAt { get; }

    public bool HasLiveKey => LiveVersion > 0;

    /// <summary>True once the cache let go of the entry and its key was wiped.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Returns the cipher for <paramref name="algorithm"/>, deriving its key on first use.</summary>
    /// <exception cref="ObjectDisposedException">The entry was evicted meanwhile.</exception>
    public FieldCipher GetCipher(FieldEncryptionAlgorithm algorithm)
    {
        return Volatile.Read(ref Slot(algorithm)) ?? CreateCipher(algorithm);
    }

    /// <summary>
    /// Wipes the key now: the raw bytes, and each cipher's copy of its subkey (a <see cref="KeyArena"/> slot, or
    /// <see cref="AesGcm"/>'s context). A cipher another thread is inside of is wiped as that call returns.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dataKey?.Dispose();

        Interlocked.Exchange(ref _aegis, null)?.Dispose();
        Interlocked.Exchange(ref _aes, null)?.Dispose();
    }

    private ref FieldCipher? Slot(FieldEncryptionAlgorithm algorithm)
    {
        if (algorithm == FieldEncryptionAlgorithm.Aegis256)
        {
            return ref _aegis;
        }

        if (algorithm == FieldEncryptionAlgorithm.Aes256Gcm)
        {
            return ref _aes;
        }

        throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported field encryption algorithm.");
    }

    /// <summary>
    /// HKDF-SHA-256 (RFC 5869) of the live data key with a 32-byte <paramref name="salt"/> and
    /// <paramref name="info"/>, one 32-byte output block: the key of one encrypted object (docs/streams.md).
    /// The field subkeys are HMACs keyed by the data key; here the data key is HKDF's input keying material under
    /// a random salt, so no object key equals a field subkey or another object's key.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The entry was evicted meanwhile, or holds no live key.</exception>
    public unsafe void DeriveObjectKey(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> key)
    {
        ObjectDisposedException.ThrowIf(IsDisposed || _dataKey is null, this);
        Span<byte> prk = stackalloc byte[HmacSha256.Size];
        var added = false;
        try
        {
            _dataKey.DangerousAddRef(ref added);
            // Extract: PRK = HMAC(salt, IKM). Expand, one block: OKM = HMAC(PRK, info || 0x01).
            HmacSha256.ComputeWithKey(salt, new ReadOnlySpan<byte>((void*)_dataKey.DangerousGetHandle(), KeyArena.SlotSize), prk);
            ObjectDisposedException.ThrowIf(IsDisposed, this);

            var block = info.Length + 1 <= 256 ? stackalloc byte[info.Length + 1] : new byte[info.Length + 1];
            info.CopyTo(block);
            block[^1] = 1;
            HmacSha256.ComputeWithKey(prk, block, key);
        }
        finally
        {
            if (added)
            {
                _dataKey.DangerousRelease();
            }

            CryptographicOperations.ZeroMemory(prk);
        }
    }

    private FieldCipher CreateCipher(FieldEncryptionAlgorithm algorithm)
    {
        ObjectDisposedException.ThrowIf(IsDisposed || _dataKey is null, this);

        // One data key, one subkey per algorithm: the same key bytes never feed two different AEADs.
        Span<byte> label = [(byte)'g', (byte)'d', (byte)'p', (byte)'r', (byte)'.', (byte)'f', (byte)'i', (byte)'e', (byte)'l', (byte)'d', (byte)algorithm];
        Span<byte> subkey = stackalloc byte[HMACSHA256.HashSizeInBytes];
        FieldCipher created;
        var added = false;
        try
        {
            // Throws ObjectDisposedException once the entry let go of its key, as every use of a released entry does.
            _dataKey.DangerousAddRef(ref added);
            DeriveSubkey(_dataKey, label, subkey);
            created = FieldCipher.Create(algorithm, subkey);
        }
        finally
        {
            if (added)
            {
                _dataKey.DangerousRelease();
            }

            CryptographicOperations.ZeroMemory(subkey);
        }

        var raced = Interlocked.CompareExchange(ref Slot(algorithm), created, null);
        if (raced is not null)
        {
            created.Dispose();
            return raced;
        }

        // Dispose sets the flag before it wipes the key; seeing it clear here means the subkey came from the real
        // key. Seeing it set means Dispose may have missed our cipher (or we derived from wiped bytes): drop it.
        if (IsDisposed)
        {
            Interlocked.Exchange(ref Slot(algorithm), null)?.Dispose();
            throw new ObjectDisposedException(nameof(DataKeyEntry));
        }

        return created;
    }

    private static unsafe void DeriveSubkey(KeySlotHandle dataKey, ReadOnlySpan<byte> label, Span<byte> subkey)
        => HmacSha256.ComputeWithKey(new ReadOnlySpan<byte>((void*)dataKey.DangerousGetHandle(), KeyArena.SlotSize), label, subkey);
}
