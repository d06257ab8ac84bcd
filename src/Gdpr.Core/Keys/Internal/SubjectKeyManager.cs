using Gdpr.Keys.Infrastructure;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Gdpr.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Keys;

/// <summary>
/// The key hierarchy: creates, unwraps, caches and destroys the data keys of (subject, scope), and rotates the
/// key-encryption key. Fails closed: if the store or the KEK cannot be had, it throws and nothing is encrypted.
/// </summary>
internal sealed partial class SubjectKeyManager : ISubjectKeyManager, ISubjectKeyCache, IDisposable
{
    internal const int DataKeySize = 32;
    private const int RotationBatchSize = 500;
    private const int MaxLoadAttempts = 3;

    private readonly ISubjectKeyStore _store;
    private readonly IKeyEncryptionKeyProvider _keyEncryptionKeys;
    private readonly SubjectPseudonymizer _pseudonymizer;
    private readonly DataKeyCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GdprMetrics _metrics;
    private readonly Encryption.FieldEncryptionAlgorithm _algorithm;
    private readonly DependencyInjection.GdprStartupCheck _startup;

    // Two overlapping rotations retire each other's new KEK while the other still wraps under it: run one at a time.
    private readonly SemaphoreSlim _rotation = new(1, 1);

    // The keys this process is creating, from the wrap until the key is stored under the active KEK. A rotation may
    // retire the KEK a new key was wrapped under before the writer stores it and rewraps it (RewrapIfRotatedAsync);
    // in that window another caller reading the same key cannot unwrap it, so it waits for the writer here instead of
    // failing. (On another node it cannot wait; it retries MaxLoadAttempts times and fails closed.)
    private readonly InFlightCreations _creating = new();

    public SubjectKeyManager(
        ISubjectKeyStore store,
        IKeyEncryptionKeyProvider keyEncryptionKeys,
        SubjectPseudonymizer pseudonymizer,
        DataKeyCache cache,
        TimeProvider time,
        IOptions<GdprOptions> options,
        GdprMetrics metrics,
        DependencyInjection.GdprStartupCheck startup,
        ILogger<SubjectKeyManager>? logger = null)
    {
        _startup = startup;
        _metrics = metrics;
        _algorithm = options.Value.Algorithm;
        _store = store;
        _keyEncryptionKeys = keyEncryptionKeys;
        _pseudonymizer = pseudonymizer;
        _cache = cache;
        _time = time;
        _logger = logger ?? NullLogger<SubjectKeyManager>.Instance;
    }

    internal DataKeyCache Cache => _cache;

    internal InFlightCreations Creations => _creating;

    public void Dispose() => _rotation.Dispose();

    public SubjectPseudonym GetPseudonym(string subjectId) => _pseudonymizer.Compute(subjectId);

    /// <summary>
    /// Returns the cached entry, or loads it (creating the key when <paramref name="forWriting"/>). A shared entry
    /// may be disposed by a concurrent shred at any time; users catch <see cref="ObjectDisposedException"/> and call
    /// again with <paramref name="share"/> false, which loads a private entry no one else can dispose.
    /// </summary>
    public async ValueTask<KeyLease> AcquireAsync(string subjectId, string scope, bool forWriting, bool refresh, CancellationToken cancellationToken, bool share = true)
    {
        SubjectPseudonymizer.ThrowIfInvalidSubjectId(subjectId);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        if (!refresh && _cache.TryGet(subjectId, scope, out var cached) && (cached.HasLiveKey || !forWriting))
        {
            return new KeyLease(cached, owned: false);
        }

        // Once per process (a host runs it at start): no key is read or created before the start-up checks pass.
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var epoch = _cache.ShredEpoch;
        var pseudonym = _pseudonymizer.Compute(subjectId);
        _metrics.KeyLoads.Add(1, new KeyValuePair<string, object?>("gdpr.scope", scope));
        var entry = await LoadAsync(subjectId, scope, pseudonym, forWriting, cancellationToken).ConfigureAwait(false);
        return new KeyLease(entry, owned: !share || !_cache.TryAdd(entry, epoch));
    }

    private async ValueTask<DataKeyEntry> LoadAsync(string subjectId, string scope, SubjectPseudonym pseudonym, bool forWriting, CancellationToken cancellationToken)
    {
        var dataKey = GC.AllocateUninitializedArray<byte>(DataKeySize, pinned: true);
        try
        {
            var (key, state) = await LoadKeyAsync(pseudonym, scope, forWriting, dataKey, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return new DataKeyEntry(subjectId, scope, pseudonym, 0, state.LastShreddedVersion, default, _cache.Now());
            }

            var entry = new DataKeyEntry(subjectId, scope, pseudonym, key.Version, Math.Max(state.LastShreddedVersion, key.Version - 1), dataKey, _cache.Now());

            // Import the key into the AEAD now (tens of microseconds), not on the first synchronous encryption.
            entry.GetCipher(_algorithm);
            return entry;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Reads the key of (pseudonym, scope) into <paramref name="dataKey"/>, creating it when <paramref name="forWriting"/>
    /// and there is none; returns it with the state read (no key: none live and not writing).
    /// </summary>
    private async ValueTask<(WrappedSubjectKey? Key, SubjectKeyState State)> LoadKeyAsync(SubjectPseudonym pseudonym, string scope, bool forWriting, byte[] dataKey, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            SubjectKeyState state;
            try
            {
                state = await _store.GetStateAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsInfrastructureFailure(ex))
            {
                throw Unavailable(scope, ex);
            }

            var key = state.Key;
            if (key is null && !forWriting)
            {
                return (null, state);
            }

            if (key is null)
            {
                key = await CreateAsync(pseudonym, scope, state.LastShreddedVersion + 1, dataKey, mayRetry: attempt < MaxLoadAttempts, cancellationToken).ConfigureAwait(false);
                if (key is null)
                {
                    // A concurrent shred used up the version we read as next, or a rotation retired the KEK we or
                    // the writer who beat us wrapped it under: read the state again.
                    continue;
                }
            }
            else
            {
                try
                {
                    await UnwrapAsync(key, dataKey, cancellationToken).ConfigureAwait(false);
                }
                catch (KeyUnavailableException) when (attempt < MaxLoadAttempts)
                {
                    // A KEK rotation may have rewrapped the key and retired the KEK we read it under, or retired it
                    // while the key's writer was still to rewrap it: read it again, after that writer.
                    await _creating.WaitAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            return (key, state);
        }
    }

    /// <summary>
    /// The raw bytes of an SDK-owned key kept in the subject key store under a reserved pseudonym (a blind-index epoch's
    /// root key): created when <paramref name="create"/> and absent, false when absent. Never cached here; the caller
    /// owns and wipes <paramref name="destination"/>.
    /// </summary>
    internal async ValueTask<bool> TryReadOwnKeyAsync(SubjectPseudonym pseudonym, string scope, bool create, byte[] destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, DataKeySize, nameof(destination));
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var (key, _) = await LoadKeyAsync(pseudonym, scope, create, destination, cancellationToken).ConfigureAwait(false);
        return key is not null;
    }

    /// <summary>The pseudonym of an SDK-owned key: a keyed hash of a label no subject id can equal (it begins with NUL).</summary>
    internal SubjectPseudonym GetOwnKeyPseudonym(ReadOnlySpan<byte> label) => _pseudonymizer.ComputeReserved(label);

    /// <summary>
    /// Creates a key, or adopts the one a concurrent writer stored first; leaves its bytes in <paramref name="dataKey"/>.
    /// Returns null (when <paramref name="mayRetry"/>) if the store refused it because <paramref name="version"/> was shredded meanwhile.
    /// </summary>
    private async ValueTask<WrappedSubjectKey?> CreateAsync(SubjectPseudonym pseudonym, string scope, int version, byte[] dataKey, bool mayRetry, CancellationToken cancellationToken)
    {
        using var creation = _creating.Begin(pseudonym, scope);
        RandomNumberGenerator.Fill(dataKey);
        WrappedSubjectKey stored;
        WrappedSubjectKey created;
        try
        {
            var kekId = await _keyEncryptionKeys.GetActiveKeyIdAsync(cancellationToken).ConfigureAwait(false);
            byte[] wrapped;
            try
            {
                wrapped = await _keyEncryptionKeys.WrapAsync(kekId, dataKey, GetWrappingAssociatedData(pseudonym, scope, version), cancellationToken).ConfigureAwait(false);
            }
            catch (KeyUnavailableException) when (mayRetry)
            {
                // A rotation retired the KEK we read as active before we wrapped under it; nothing was stored.
                return null;
            }

            created = new WrappedSubjectKey(pseudonym, scope, version, kekId, wrapped, _time.GetUtcNow());
            stored = await _store.AddKeyAsync(created, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            // Between our read and our write another writer created this version and a shred destroyed it: the store
            // refuses the version. That is a race with an erasure, not an outage; the caller reads the state again.
            if (mayRetry && await WasShreddedAsync(pseudonym, scope, version, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            throw Unavailable(scope, ex);
        }

        if (IsSameKey(stored, created))
        {
            DiagnosticsLog.KeyCreated(_logger, pseudonym.Value, scope, version);
            _metrics.KeysCreated.Add(1, new KeyValuePair<string, object?>("gdpr.scope", scope));
            return await RewrapIfRotatedAsync(stored, dataKey, cancellationToken).ConfigureAwait(false);
        }

        // Another writer (thread or node) won the race: use its key so every value lands under the one the store keeps.
        try
        {
            await UnwrapAsync(stored, dataKey, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyUnavailableException) when (mayRetry)
        {
            // The winner wrapped it under a KEK a rotation has retired and has yet to rewrap it: read it again, after it.
            creation.Dispose();
            await _creating.WaitAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return stored;
    }

    /// <summary>
    /// A KEK rotation that began after we read the active KEK may have queried the store before our key was in it,
    /// and then retired the KEK we wrapped it with: every value written with the key would be lost on restart. If
    /// the active KEK changed meanwhile, we still hold the data key, so we rewrap it under the active one ourselves.
    /// (If the active KEK is unchanged, any rotation's queries come after our write and will see the key.)
    /// </summary>
    private async ValueTask<WrappedSubjectKey> RewrapIfRotatedAsync(WrappedSubjectKey stored, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken)
    {
        try
        {
            var activeKeyId = await _keyEncryptionKeys.GetActiveKeyIdAsync(cancellationToken).ConfigureAwait(false);
            if (activeKeyId == stored.KeyEncryptionKeyId)
            {
                return stored;
            }

            var wrapped = await _keyEncryptionKeys.WrapAsync(activeKeyId, dataKey, GetWrappingAssociatedData(stored.Subject, stored.Scope, stored.Version), cancellationToken).ConfigureAwait(false);
            var rewrapped = stored with { KeyEncryptionKeyId = activeKeyId, WrappedKey = wrapped };
            await _store.ReplaceWrappingAsync(stored, rewrapped, cancellationToken).ConfigureAwait(false);
            return rewrapped;
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            throw Unavailable(stored.Scope, ex);
        }
    }

    private async ValueTask<bool> WasShreddedAsync(SubjectPseudonym pseudonym, string scope, int version, CancellationToken cancellationToken)
    {
        try
        {
            return (await _store.GetStateAsync(pseudonym, scope, cancellationToken).ConfigureAwait(false)).LastShreddedVersion >= version;
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            return false;
        }
    }

    private async ValueTask UnwrapAsync(WrappedSubjectKey key, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        try
        {
            await _keyEncryptionKeys.UnwrapAsync(
                key.KeyEncryptionKeyId, key.WrappedKey, GetWrappingAssociatedData(key.Subject, key.Scope, key.Version), dataKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            throw Unavailable(key.Scope, ex);
        }
    }

    public async ValueTask<KeyTombstone?> ShredAsync(string subjectId, string scope, CancellationToken cancellationToken = default)
    {
        SubjectPseudonymizer.ThrowIfInvalidSubjectId(subjectId);
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var tombstone = await ShredCoreAsync(_pseudonymizer.Compute(subjectId), scope, cancellationToken).ConfigureAwait(false);
        _cache.Evict(subjectId, scope);
        return tombstone;
    }

    public async ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var tombstone = await ShredCoreAsync(subject, scope, cancellationToken).ConfigureAwait(false);
        _cache.Evict(subject, scope);
        return tombstone;
    }

    private async ValueTask<KeyTombstone?> ShredCoreAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        KeyTombstone? tombstone;
        try
        {
            tombstone = await _store.ShredAsync(subject, scope, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            throw Unavailable(scope, ex);
        }

        if (tombstone is not null)
        {
            DiagnosticsLog.KeyShredded(_logger, subject.Value, scope, tombstone.Version);
            _metrics.KeysShredded.Add(1, new KeyValuePair<string, object?>("gdpr.scope", scope));
        }

        return tombstone;
    }

    public IAsyncEnumerable<string> GetScopesAsync(string subjectId, CancellationToken cancellationToken = default)
        => GetScopesCoreAsync(_pseudonymizer.Compute(subjectId), cancellationToken);

    private async IAsyncEnumerable<string> GetScopesCoreAsync(SubjectPseudonym subject, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var scope in _store.GetScopesAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            yield return scope;
        }
    }

    public void Evict(SubjectPseudonym subject, string? scope = null) => _cache.Evict(subject, scope);

    /// <summary>The scopes with a live key of an SDK-owned pseudonym (<see cref="GetOwnKeyPseudonym"/>).</summary>
    internal IAsyncEnumerable<string> GetOwnKeyScopesAsync(SubjectPseudonym pseudonym, CancellationToken cancellationToken)
        => GetScopesCoreAsync(pseudonym, cancellationToken);

    public async ValueTask<KeyRotationResult> RotateKeyEncryptionKeyAsync(CancellationToken cancellationToken = default)
    {
        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _rotation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RotateCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _rotation.Release();
        }
    }

    private async ValueTask<KeyRotationResult> RotateCoreAsync(CancellationToken cancellationToken)
    {
        var oldKeyIds = await _keyEncryptionKeys.GetKeyIdsAsync(cancellationToken).ConfigureAwait(false);
        var newKeyId = await _keyEncryptionKeys.CreateKeyAsync(cancellationToken).ConfigureAwait(false);
        var rewrapped = 0;
        var retired = new List<string>();
        var dataKey = GC.AllocateUninitializedArray<byte>(DataKeySize, pinned: true);
        try
        {
            foreach (var oldKeyId in oldKeyIds.Where(id => id != newKeyId))
            {
                // Batches, re-queried until none is left: stores need not tolerate writes during an enumeration.
                while (true)
                {
                    var batch = await TakeAsync(_store.GetKeysWrappedWithAsync(oldKeyId, cancellationToken), RotationBatchSize, cancellationToken).ConfigureAwait(false);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    foreach (var key in batch)
                    {
                        await UnwrapAsync(key, dataKey, cancellationToken).ConfigureAwait(false);
                        var wrapped = await _keyEncryptionKeys.WrapAsync(newKeyId, dataKey, GetWrappingAssociatedData(key.Subject, key.Scope, key.Version), cancellationToken).ConfigureAwait(false);
                        CryptographicOperations.ZeroMemory(dataKey);
                        if (await _store.ReplaceWrappingAsync(key, key with { KeyEncryptionKeyId = newKeyId, WrappedKey = wrapped }, cancellationToken).ConfigureAwait(false))
                        {
                            rewrapped++;
                        }
                    }
                }

                await _keyEncryptionKeys.RetireKeyAsync(oldKeyId, cancellationToken).ConfigureAwait(false);
                DiagnosticsLog.KeyEncryptionKeyRetired(_logger, oldKeyId);
                retired.Add(oldKeyId);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        // The UPDATEs freed the old wrappings' cells; the engine may still hold them in its files (a WAL, dead
        // row versions) until the store completes the removal, as after a shred.
        var removal = KeyRemovalStatus.NotApplicable;
        if (rewrapped > 0)
        {
            try
            {
                removal = await _store.CompleteRemovalAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsInfrastructureFailure(ex))
            {
                removal = KeyRemovalStatus.Pending; // the rotation itself is done; the next erasure or rotation retries
            }
        }

        DiagnosticsLog.KeyEncryptionKeyRotated(_logger, rewrapped, newKeyId, retired.Count);
        return new KeyRotationResult(newKeyId, retired, rewrapped) { PhysicalRemoval = removal };
    }

    private static async ValueTask<List<WrappedSubjectKey>> TakeAsync(IAsyncEnumerable<WrappedSubjectKey> source, int count, CancellationToken cancellationToken)
    {
        var batch = new List<WrappedSubjectKey>(count);
        await foreach (var key in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(key);
            if (batch.Count == count)
            {
                break;
            }
        }

        return batch;
    }

    /// <summary>"gdpr.dek.v1" ‖ 0 ‖ pseudonym ‖ 0 ‖ scope ‖ 0 ‖ version (uint32 BE): a wrapped key moved to another subject, scope or version does not unwrap.</summary>
    internal static byte[] GetWrappingAssociatedData(SubjectPseudonym subject, string scope, int version)
    {
        const string Label = "gdpr.dek.v1";
        var utf8 = Gdpr.Internal.StrictUtf8.Encoding;
        var length = Label.Length + 1 + utf8.GetByteCount(subject.Value) + 1 + utf8.GetByteCount(scope) + 1 + 4;
        var ad = new byte[length];
        var at = utf8.GetBytes(Label, ad);
        ad[at++] = 0;
        at += utf8.GetBytes(subject.Value, ad.AsSpan(at));
        ad[at++] = 0;
        at += utf8.GetBytes(scope, ad.AsSpan(at));
        ad[at++] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(ad.AsSpan(at), (uint)version);
        return ad;
    }

    /// <summary>An entry to use for one operation; disposes it afterwards when the cache did not take it.</summary>
    internal readonly struct KeyLease(DataKeyEntry entry, bool owned) : IDisposable
    {
        public DataKeyEntry Entry { get; } = entry;

        public void Dispose()
        {
            if (owned)
            {
                Entry.Dispose();
            }
        }
    }

    private static bool IsSameKey(WrappedSubjectKey a, WrappedSubjectKey b)
        => a.Version == b.Version && a.KeyEncryptionKeyId == b.KeyEncryptionKeyId && a.WrappedKey.Span.SequenceEqual(b.WrappedKey.Span);

    private static bool IsInfrastructureFailure(Exception ex)
        => ex is not (OperationCanceledException or GdprException or ArgumentException);

    private KeyUnavailableException Unavailable(string scope, Exception inner, [CallerMemberName] string operation = "")
    {
        DiagnosticsLog.KeyStoreFailed(_logger, scope, inner);
        return new KeyUnavailableException($"The data key for scope '{scope}' could not be had ({operation}); nothing was encrypted or decrypted.", inner);
    }
}
