using System.Runtime.CompilerServices;

namespace Gdpr.Keys;

/// <summary>
/// A key store in process memory, for tests and single-process use. Everything is lost when the process ends.
/// </summary>
public sealed class InMemorySubjectKeyStore : ISubjectKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(SubjectPseudonym, string), WrappedSubjectKey> _keys = [];
    private readonly Dictionary<(SubjectPseudonym, string), List<KeyTombstone>> _tombstones = [];
    private string? _pseudonymKeyCheck;

    /// <summary>Gets the number of live keys (for the SDK's own tests; not public API).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _keys.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _keys.TryGetValue((subject, scope), out var key);
            return ValueTask.FromResult(new SubjectKeyState(key is null ? null : Detach(key), LastShreddedVersion(subject, scope)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_keys.TryGetValue((key.Subject, key.Scope), out var existing))
            {
                return ValueTask.FromResult(Detach(existing));
            }

            if (key.Version <= LastShreddedVersion(key.Subject, key.Scope))
            {
                throw new InvalidOperationException($"Key version {key.Version} of scope '{key.Scope}' was already shredded; a new key needs a higher version.");
            }

            var copy = Detach(key);
            _keys.Add((key.Subject, key.Scope), copy);
            return ValueTask.FromResult(Detach(copy));
        }
    }

    /// <inheritdoc/>
    public ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.Remove((subject, scope), out var key))
            {
                return ValueTask.FromResult<KeyTombstone?>(null);
            }

            // The wrapped bytes are ours (copied on add): wipe them rather than leave them for the GC.
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsMemory(key.WrappedKey).Span);
            var tombstone = new KeyTombstone(subject, scope, key.Version, shreddedAt);
            if (!_tombstones.TryGetValue((subject, scope), out var list))
            {
                _tombstones[(subject, scope)] = list = [];
            }

            list.Add(tombstone);
            return ValueTask.FromResult<KeyTombstone?>(tombstone);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Snapshot(_keys.Keys.Where(k => k.Item1 == subject).Select(k => k.Item2).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Snapshot(_tombstones.Where(t => t.Key.Item1 == subject).SelectMany(t => t.Value).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Snapshot(_keys.Values.Where(k => k.KeyEncryptionKeyId == keyEncryptionKeyId).Select(Detach).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(rewrapped);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.TryGetValue((current.Subject, current.Scope), out var stored)
                || stored.Version != current.Version
                || stored.KeyEncryptionKeyId != current.KeyEncryptionKeyId)
            {
                return ValueTask.FromResult(false);
            }

            _keys[(current.Subject, current.Scope)] = stored with { KeyEncryptionKeyId = rewrapped.KeyEncryptionKeyId, WrappedKey = rewrapped.WrappedKey.ToArray() };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<string?> AddPseudonymKeyCheckAsync(string checkValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkValue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _pseudonymKeyCheck ??= checkValue;
            return ValueTask.FromResult<string?>(_pseudonymKeyCheck);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>?> GetKeyEncryptionKeyIdsInUseAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<string>?>([.. _keys.Values.Select(k => k.KeyEncryptionKeyId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        }
    }

    // Callers get their own copy of the wrapped bytes: a shred wipes the store's copy in place, and must not wipe
    // it under a reader that is still unwrapping it (that reader then reported tampering instead of a clean race).
    private static WrappedSubjectKey Detach(WrappedSubjectKey key) => key with { WrappedKey = key.WrappedKey.ToArray() };

    private int LastShreddedVersion(SubjectPseudonym subject, string scope)
        => _tombstones.TryGetValue((subject, scope), out var list) ? list.Max(t => t.Version) : 0;

    private static async IAsyncEnumerable<T> Snapshot<T>(List<T> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
