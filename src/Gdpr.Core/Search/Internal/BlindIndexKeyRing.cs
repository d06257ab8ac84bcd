using System.Globalization;
using System.Security.Cryptography;
using Gdpr.Keys;
using Microsoft.Extensions.Options;

namespace Gdpr.Search;

/// <summary>
/// The blind indexes' root keys, one per epoch, kept in the subject key store as the data keys of a reserved
/// pseudonym (scope <c>gdpr.blind-index.epoch-N</c>). So they are wrapped by the KEK and rewrapped by its rotation,
/// stored on every node's one database, and destroyed by a shred with the key store's physical removal, like a
/// subject's key: no second store, no second rotation.
/// </summary>
/// <remarks>
/// Writes use the newest epoch; lookups try every live one, so that re-indexing under a new epoch can run while
/// lookups go on. The list of epochs is read again after <see cref="KeyCacheOptions.MaxAge"/>, so a node learns of
/// another node's new or destroyed epoch within that age (an epoch it destroyed itself, at once).
/// </remarks>
internal sealed class BlindIndexKeyRing : IBlindIndexEpochs, IDisposable
{
    internal const string ScopePrefix = "gdpr.blind-index.epoch-";
    private static readonly byte[] Label = "\0gdpr.blind-index.root.v1"u8.ToArray();

    private readonly SubjectKeyManager _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly string _defaultPhoneRegion;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, BlindIndexHasher> _hashers = [];
    private Epochs? _current;

    public BlindIndexKeyRing(SubjectKeyManager keys, TimeProvider time, IOptions<GdprOptions> options, IOptions<BlindIndexOptions> indexOptions)
    {
        _keys = keys;
        _time = time;
        _maxAge = options.Value.KeyCache.MaxAge;
        _defaultPhoneRegion = indexOptions.Value.DefaultPhoneRegion;
    }

    /// <summary>The region phone numbers without a country code are read in.</summary>
    public string DefaultPhoneRegion => _defaultPhoneRegion;

    /// <summary>The live epochs, newest first (empty when none exists and <paramref name="forWriting"/> is false).</summary>
    /// <param name="forWriting">Create epoch 1 when there is none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async ValueTask<IReadOnlyList<(int Epoch, BlindIndexHasher Hasher)>> GetAsync(bool forWriting, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _time.GetUtcNow() - current.ReadAt < _maxAge && (current.Live.Count > 0 || !forWriting))
        {
            return current.Live;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var epochs = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (epochs.Live.Count == 0 && forWriting)
            {
                await CreateAsync(1, cancellationToken).ConfigureAwait(false);
                epochs = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }

            return epochs.Live;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<int>> GetLiveEpochsAsync(CancellationToken cancellationToken = default)
        => [.. (await GetAsync(forWriting: false, cancellationToken).ConfigureAwait(false)).Select(e => e.Epoch)];

    /// <summary>Starts a new epoch: writes use it from now on (on other nodes within the list's age); returns its number.</summary>
    public async ValueTask<int> StartEpochAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var epochs = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var next = (epochs.Live.Count == 0 ? 0 : epochs.Live[0].Epoch) + 1;
            await CreateAsync(next, cancellationToken).ConfigureAwait(false);
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            return next;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Destroys an older epoch's root key (a shred of its key-store row): index values computed under it match nothing
    /// any more, in the database or in a backup. The newest epoch cannot be destroyed: start another first.
    /// </summary>
    /// <returns>False when the epoch did not exist (or was destroyed already).</returns>
    /// <exception cref="InvalidOperationException">The epoch is the newest one, which writes use.</exception>
    public async ValueTask<bool> DestroyEpochAsync(int epoch, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var epochs = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (epochs.Live.Count > 0 && epochs.Live[0].Epoch == epoch)
            {
                throw new InvalidOperationException(
                    $"Blind-index epoch {epoch} is the newest one, which writes use: start a new epoch and re-index before destroying it.");
            }

            var destroyed = await _keys.ShredAsync(Pseudonym, ScopeOf(epoch), cancellationToken).ConfigureAwait(false) is not null;
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            return destroyed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        lock (_hashers)
        {
            foreach (var hasher in _hashers.Values)
            {
                hasher.Dispose();
            }

            _hashers.Clear();
        }

        _gate.Dispose();
    }

    internal static string ScopeOf(int epoch) => ScopePrefix + epoch.ToString(CultureInfo.InvariantCulture);

    private SubjectPseudonym Pseudonym => _keys.GetOwnKeyPseudonym(Label);

    private async ValueTask CreateAsync(int epoch, CancellationToken cancellationToken)
    {
        var root = GC.AllocateUninitializedArray<byte>(SubjectKeyManager.DataKeySize, pinned: true);
        try
        {
            // Another node may create the same epoch at once: the store keeps one key, and both read it back.
            await _keys.TryReadOwnKeyAsync(Pseudonym, ScopeOf(epoch), create: true, root, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(root);
        }
    }

    /// <summary>Reads the live epochs from the store, loads the root keys not yet loaded, and drops the destroyed ones.</summary>
    private async ValueTask<Epochs> ReadAsync(CancellationToken cancellationToken)
    {
        var numbers = new List<int>();
        await foreach (var scope in _keys.GetOwnKeyScopesAsync(Pseudonym, cancellationToken).ConfigureAwait(false))
        {
            if (scope.StartsWith(ScopePrefix, StringComparison.Ordinal)
                && int.TryParse(scope.AsSpan(ScopePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                numbers.Add(number);
            }
        }

        var live = new List<(int, BlindIndexHasher)>(numbers.Count);
        var root = GC.AllocateUninitializedArray<byte>(SubjectKeyManager.DataKeySize, pinned: true);
        try
        {
            foreach (var number in numbers.OrderDescending())
            {
                BlindIndexHasher? hasher;
                lock (_hashers)
                {
                    _hashers.TryGetValue(number, out hasher);
                }

                if (hasher is null)
                {
                    if (!await _keys.TryReadOwnKeyAsync(Pseudonym, ScopeOf(number), create: false, root, cancellationToken).ConfigureAwait(false))
                    {
                        continue; // destroyed between the listing and the read
                    }

                    hasher = new BlindIndexHasher(root, _defaultPhoneRegion);
                    lock (_hashers)
                    {
                        _hashers[number] = hasher;
                    }
                }

                live.Add((number, hasher));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(root);
        }

        lock (_hashers)
        {
            foreach (var gone in _hashers.Keys.Except(live.Select(l => l.Item1)).ToList())
            {
                _hashers.Remove(gone, out var hasher);
                hasher!.Dispose();
            }
        }

        var epochs = new Epochs(live, _time.GetUtcNow());
        Volatile.Write(ref _current, epochs);
        return epochs;
    }

    private sealed record Epochs(IReadOnlyList<(int Epoch, BlindIndexHasher Hasher)> Live, DateTimeOffset ReadAt);
}
