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
    private readonly byte[]? _dataKey;
    private readonly FieldCipher?[] _ciphers = new FieldCipher?[2];
    private int _disposed;

    // The associated data of this key's values, per field and algorithm: header ‖ pseudonym ‖ scope ‖ field never
    // changes for one key version, so it is built once per field instead of on every encryption and decryption.
    // Copy-on-write; bounded, because the fields of a scope are the annotated members of a few entity types.
    private AssociatedData[] _associatedData = [];
    private const int MaxRememberedFields = 32;

    public DataKeyEntry(string subjectId, string scope, SubjectPseudonym pseudonym, int liveVersion, int lastShreddedVersion, ReadOnlySpan<byte> dataKey, long loadedAt)
    {
        SubjectId = subjectId;
        Scope = scope;
        Pseudonym = pseudonym;
        LiveVersion = liveVersion;
        LastShreddedVersion = lastShreddedVersion;
        LoadedAt = loadedAt;

        // pseudonym ‖ 0x00 ‖ scope ‖ 0x00: the part of every value's associated data that only depends on the entry.
        var pseudonymLength = Encoding.UTF8.GetByteCount(pseudonym.Value);
        AssociatedDataPrefix = new byte[pseudonymLength + 1 + Encoding.UTF8.GetByteCount(scope) + 1];
        Encoding.UTF8.GetBytes(pseudonym.Value, AssociatedDataPrefix);
        Encoding.UTF8.GetBytes(scope, AssociatedDataPrefix.AsSpan(pseudonymLength + 1));

        if (liveVersion > 0)
        {
            // Pinned so the GC never leaves a moved copy of the key behind in the heap.
            _dataKey = GC.AllocateUninitializedArray<byte>(dataKey.Length, pinned: true);
            dataKey.CopyTo(_dataKey);
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

    /// <summary>Returns the remembered associated data of <paramref name="field"/> under <paramref name="algorithm"/>, or null.</summary>
    public byte[]? FindAssociatedData(string field, FieldEncryptionAlgorithm algorithm)
    {
        foreach (var known in Volatile.Read(ref _associatedData))
        {
            if (known.Algorithm == algorithm && string.Equals(known.Field, field, StringComparison.Ordinal))
            {
                return known.Bytes;
            }
        }

        return null;
    }

    /// <summary>Remembers the associated data of a field (built for this entry's live key version).</summary>
    public void RememberAssociatedData(string field, FieldEncryptionAlgorithm algorithm, ReadOnlySpan<byte> associatedData)
    {
        var remembered = new AssociatedData(field, algorithm, associatedData.ToArray());
        while (true)
        {
            var current = Volatile.Read(ref _associatedData);
            if (current.Length >= MaxRememberedFields || Array.Exists(current, k => k.Algorithm == algorithm && k.Field == field))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _associatedData, [.. current, remembered], current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Returns the cipher for <paramref name="algorithm"/>, deriving its key on first use.</summary>
    /// <exception cref="ObjectDisposedException">The entry was evicted meanwhile.</exception>
    public FieldCipher GetCipher(FieldEncryptionAlgorithm algorithm)
    {
        var index = (int)algorithm - 1;
        return Volatile.Read(ref _ciphers[index]) ?? CreateCipher(algorithm, index);
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

        if (_dataKey is not null)
        {
            CryptographicOperations.ZeroMemory(_dataKey);
        }

        Interlocked.Exchange(ref _ciphers[0], null)?.Dispose();
        Interlocked.Exchange(ref _ciphers[1], null)?.Dispose();
    }

    private FieldCipher CreateCipher(FieldEncryptionAlgorithm algorithm, int index)
    {
        ObjectDisposedException.ThrowIf(IsDisposed || _dataKey is null, this);

        // One data key, one subkey per algorithm: the same key bytes never feed two different AEADs.
        Span<byte> label = [(byte)'g', (byte)'d', (byte)'p', (byte)'r', (byte)'.', (byte)'f', (byte)'i', (byte)'e', (byte)'l', (byte)'d', (byte)algorithm];
        Span<byte> subkey = stackalloc byte[HMACSHA256.HashSizeInBytes];
        FieldCipher created;
        try
        {
            HMACSHA256.HashData(_dataKey, label, subkey);
            created = FieldCipher.Create(algorithm, subkey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
        }

        var raced = Interlocked.CompareExchange(ref _ciphers[index], created, null);
        if (raced is not null)
        {
            created.Dispose();
            return raced;
        }

        // Dispose sets the flag before it wipes the key; seeing it clear here means the subkey came from the real
        // key. Seeing it set means Dispose may have missed our cipher (or we derived from wiped bytes): drop it.
        if (IsDisposed)
        {
            Interlocked.Exchange(ref _ciphers[index], null)?.Dispose();
            throw new ObjectDisposedException(nameof(DataKeyEntry));
        }

        return created;
    }

    private sealed record AssociatedData(string Field, FieldEncryptionAlgorithm Algorithm, byte[] Bytes);
}
