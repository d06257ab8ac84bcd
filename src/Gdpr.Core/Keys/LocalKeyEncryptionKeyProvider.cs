using System.Security.Cryptography;
using Gdpr.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace Gdpr.Keys;

/// <summary>
/// Key-encryption keys held locally: in a key-ring folder (one 32-byte file per KEK, owner-only) or, when no
/// folder is configured, in memory. Wraps data keys with AEGIS-256. For production, a KMS or HSM provider keeps
/// KEKs out of the application's reach; this one is the embedded default and the reference implementation.
/// </summary>
/// <remarks>
/// Wrapped key layout: nonce (32 bytes) ‖ encrypted data key (32 bytes) ‖ tag (32 bytes).
/// Retiring a KEK overwrites its file before deleting it; on copy-on-write or wear-levelled storage that is a
/// best effort, which is why docs/concepts.md recommends a KMS for KEKs that must provably disappear.
/// </remarks>
public sealed class LocalKeyEncryptionKeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    private const string KeyFileExtension = ".kek";
    private const string ActiveFileName = "active";
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.Aegis256;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
    private readonly string? _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string _activeKeyId = string.Empty;

    /// <summary>Initializes a new instance of the <see cref="LocalKeyEncryptionKeyProvider"/> class, loading or creating the key ring.</summary>
    /// <param name="options">Where the key ring lives.</param>
    /// <param name="time">The clock used to name new keys.</param>
    /// <param name="logger">The logger.</param>
    public LocalKeyEncryptionKeyProvider(IOptions<LocalKeyRingOptions> options, TimeProvider time, ILogger<LocalKeyEncryptionKeyProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _directory = options.Value.Directory;
        _time = time;
        _logger = logger ?? NullLogger<LocalKeyEncryptionKeyProvider>.Instance;
        if (_directory is null)
        {
            // Allowed only with UseInMemoryStores(); the start-up check then logs one warning for it.
            CreateKeyCore();
            return;
        }

        OwnerOnlyDirectory.Create(_directory);
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + KeyFileExtension))
        {
            var bytes = File.ReadAllBytes(path);
            try
            {
                _keys[Path.GetFileNameWithoutExtension(path)] = Key.Import(Aead, bytes, KeyBlobFormat.RawSymmetricKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }

        var activePath = Path.Combine(_directory, ActiveFileName);
        var active = File.Exists(activePath) ? File.ReadAllText(activePath).Trim() : null;
        if (active is not null && _keys.ContainsKey(active))
        {
            _activeKeyId = active;
        }
        else
        {
            CreateKeyCore();
        }
    }

    /// <summary>Gets whether the key ring lives in memory only (no folder configured): lost when the process ends.</summary>
    internal bool IsInMemory => _directory is null;

    /// <inheritdoc/>
    public ValueTask<string> GetActiveKeyIdAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_activeKeyId);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> GetKeyIdsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _keys.Keys]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<byte[]> WrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> dataKey, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var kek = GetKey(keyEncryptionKeyId);
            var wrapped = new byte[Aead.NonceSize + dataKey.Length + Aead.TagSize];
            // Nonces need only be unique under the KEK; a getrandom call per wrap is costly on virtual machines (NonceSource explains).
            Encryption.NonceSource.Fill(wrapped.AsSpan(0, Aead.NonceSize));
            Aead.Encrypt(kek, wrapped.AsSpan(0, Aead.NonceSize), associatedData.Span, dataKey.Span, wrapped.AsSpan(Aead.NonceSize));
            return ValueTask.FromResult(wrapped);
        }
    }

    /// <inheritdoc/>
    public ValueTask UnwrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> wrappedKey, ReadOnlyMemory<byte> associatedData, Memory<byte> dataKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var kek = GetKey(keyEncryptionKeyId);
            var wrapped = wrappedKey.Span;
            var keyLength = wrapped.Length - Aead.NonceSize - Aead.TagSize;
            if (keyLength <= 0 || keyLength > dataKey.Length
                || !Aead.Decrypt(kek, wrapped[..Aead.NonceSize], associatedData.Span, wrapped[Aead.NonceSize..], dataKey.Span[..keyLength]))
            {
                throw new PersonalDataIntegrityException("(wrapped data key)", subjectPseudonym: null, IntegrityFailure.AuthenticationFailed, $"key-encryption key {keyEncryptionKeyId}");
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public ValueTask<string> CreateKeyAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(CreateKeyCore());
        }
    }

    /// <inheritdoc/>
    public ValueTask RetireKeyAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (keyEncryptionKeyId == _activeKeyId)
            {
                throw new InvalidOperationException($"Key-encryption key {keyEncryptionKeyId} is the active one; create a new key before retiring it.");
            }

            if (_keys.Remove(keyEncryptionKeyId, out var key))
            {
                key.Dispose();
            }

            if (_directory is not null)
            {
                var path = KeyPath(keyEncryptionKeyId);
                if (File.Exists(path))
                {
                    // Overwrite in place before unlinking, so the bytes do not linger in free blocks (best effort).
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
                    {
                        stream.Write(new byte[stream.Length]);
                        stream.Flush(flushToDisk: true);
                    }

                    File.Delete(path);
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Disposes every key held in memory, wiping it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var key in _keys.Values)
            {
                key.Dispose();
            }

            _keys.Clear();
        }
    }

    private Key GetKey(string keyEncryptionKeyId)
    {
        if (!_keys.TryGetValue(keyEncryptionKeyId, out var key))
        {
            throw new KeyUnavailableException($"Key-encryption key {keyEncryptionKeyId} is unknown or retired.");
        }

        return key;
    }

    private string CreateKeyCore()
    {
        Span<byte> suffix = stackalloc byte[4];
        RandomNumberGenerator.Fill(suffix);
        var id = $"kek-{_time.GetUtcNow():yyyyMMddTHHmmss}-{Convert.ToHexStringLower(suffix)}";
        var bytes = GC.AllocateUninitializedArray<byte>(Aead.KeySize, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(bytes);
            var key = Key.Import(Aead, bytes, KeyBlobFormat.RawSymmetricKey);
            if (_directory is not null)
            {
                var temp = KeyPath(id) + ".tmp";
                var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var stream = new FileStream(temp, fileOptions))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, KeyPath(id));
                File.WriteAllText(Path.Combine(_directory, ActiveFileName), id);
            }

            _keys[id] = key;
            _activeKeyId = id;
            return id;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private string KeyPath(string id) => Path.Combine(_directory!, id + KeyFileExtension);
}
