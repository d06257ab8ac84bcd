using System.Security.Cryptography;
using System.Text;
using Gdpr.Encryption;

namespace Gdpr.Keys;

/// <summary>
/// One subject's unwrapped data key for one scope, as the cache holds it — or the knowledge that the scope has no
/// live key (then only the version bookkeeping is kept, so reads of shredded values answer "erased" at once).
/// </summary>
/// <remarks>
/// Reference-counted: the cache holds one reference, every operation in flight another. Eviction drops the
/// cache's reference; the key bytes are wiped when the last reference goes, so a shred never pulls a key out from
/// under a decryption that already started, and never leaves it readable after that decryption ends.
/// </remarks>
internal sealed class DataKeyEntry
{
    private readonly byte[]? _dataKey;
    private readonly FieldCipher?[] _ciphers = new FieldCipher?[2];
    private int _references = 1;

    public DataKeyEntry(string subjectId, string scope, SubjectPseudonym pseudonym, int liveVersion, int lastShreddedVersion, ReadOnlySpan<byte> dataKey, long loadedAt)
    {
        SubjectId = subjectId;
        Scope = scope;
        Pseudonym = pseudonym;
        PseudonymUtf8 = Encoding.UTF8.GetBytes(pseudonym.Value);
        LiveVersion = liveVersion;
        LastShreddedVersion = lastShreddedVersion;
        LoadedAt = loadedAt;
        if (liveVersion > 0)
        {
            // Pinned so the GC never leaves a moved copy of the key behind in the heap.
            _dataKey = GC.AllocateUninitializedArray<byte>(dataKey.Length, pinned: true);
            dataKey.CopyTo(_dataKey);
        }
    }

    public string SubjectId { get; }

    public string Scope { get; }

    public SubjectPseudonym Pseudonym { get; }

    public byte[] PseudonymUtf8 { get; }

    /// <summary>The version of the live key, or 0 when the scope has none.</summary>
    public int LiveVersion { get; }

    public int LastShreddedVersion { get; }

    public long LoadedAt { get; }

    public bool HasLiveKey => LiveVersion > 0;

    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var previous = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (previous == current)
            {
                return true;
            }

            current = previous;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            foreach (var cipher in _ciphers)
            {
                cipher?.Dispose();
            }

            if (_dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(_dataKey);
            }
        }
    }

    /// <summary>True once every reference is gone and the key wiped (for tests).</summary>
    internal bool IsWiped => Volatile.Read(ref _references) == 0;

    /// <summary>Returns the cipher for <paramref name="algorithm"/>, deriving its key on first use. Caller holds a reference.</summary>
    public FieldCipher GetCipher(FieldEncryptionAlgorithm algorithm)
    {
        var index = (int)algorithm - 1;
        var cipher = Volatile.Read(ref _ciphers[index]);
        return cipher ?? CreateCipher(algorithm, index);
    }

    private FieldCipher CreateCipher(FieldEncryptionAlgorithm algorithm, int index)
    {
        if (_dataKey is null)
        {
            throw new InvalidOperationException("The scope has no live key.");
        }

        // One data key, one subkey per algorithm: the same key bytes never feed two different AEADs.
        Span<byte> label = [(byte)'g', (byte)'d', (byte)'p', (byte)'r', (byte)'.', (byte)'f', (byte)'i', (byte)'e', (byte)'l', (byte)'d', (byte)algorithm];
        Span<byte> subkey = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            HMACSHA256.HashData(_dataKey, label, subkey);
            var created = FieldCipher.Create(algorithm, subkey);
            var raced = Interlocked.CompareExchange(ref _ciphers[index], created, null);
            if (raced is null)
            {
                return created;
            }

            created.Dispose();
            return raced;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
        }
    }
}
