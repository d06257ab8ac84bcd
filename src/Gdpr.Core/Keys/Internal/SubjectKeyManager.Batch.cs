using Gdpr.Diagnostics;
using System.Security.Cryptography;

namespace Gdpr.Keys;

/// <summary>The batch path: every key one save needs, created in one <see cref="ISubjectKeyStore.AddKeysAsync"/> call.</summary>
internal sealed partial class SubjectKeyManager
{
    /// <summary>
    /// Puts the key of every (subject, scope) in <paramref name="keys"/> into the cache: cached ones are left as they
    /// are, known ones are loaded, and the missing ones (when <paramref name="forWriting"/>) are created and stored
    /// with one <see cref="ISubjectKeyStore.AddKeysAsync"/> call, so that a save of many new subjects is one
    /// key-store transaction instead of one per subject.
    /// </summary>
    /// <remarks>
    /// The guarantees are the single-key path's (<see cref="AcquireAsync"/>): a key another writer stored first is
    /// adopted; a load that raced with a shred is not cached (the epoch check of <see cref="DataKeyCache.TryAdd"/>);
    /// a rotation that began meanwhile gets the new keys rewrapped. Anything the batch cannot settle (a KEK retired
    /// under a read, a version shredded between the read and the write) goes the single-key way, which retries.
    /// Every subject id is validated before any key is read or created.
    /// </remarks>
    public async ValueTask PrepareManyAsync(IReadOnlyList<(string SubjectId, string Scope)> keys, bool forWriting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var (subjectId, scope) in keys)
        {
            SubjectPseudonymizer.ThrowIfInvalidSubjectId(subjectId);
            ArgumentException.ThrowIfNullOrEmpty(scope);
        }

        List<(string SubjectId, string Scope)>? missing = null;
        foreach (var key in keys)
        {
            if (!_cache.TryGet(key.SubjectId, key.Scope, out var cached) || (!cached.HasLiveKey && forWriting))
            {
                (missing ??= []).Add(key);
            }
        }

        if (missing is null)
        {
            return;
        }

        if (missing.Count == 1)
        {
            using var lease = await AcquireAsync(missing[0].SubjectId, missing[0].Scope, forWriting, refresh: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _startup.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var epoch = _cache.ShredEpoch;
        var loaded = new List<DataKeyEntry>(missing.Count);
        List<(string SubjectId, string Scope)>? single = null;
        List<Creation>? creations = null;

        // The new keys' bytes: one pinned buffer, from one call to the system's generator rather than one per key (each
        // call is a system call's worth of work); wiped below once every key is in its entry.
        byte[]? random = null;
        try
        {
            var pseudonyms = new (SubjectPseudonym Subject, string Scope)[missing.Count];
            for (var i = 0; i < missing.Count; i++)
            {
                pseudonyms[i] = (_pseudonymizer.Compute(missing[i].SubjectId), missing[i].Scope);
                _metrics.KeyLoads.Add(1, new KeyValuePair<string, object?>("gdpr.scope", missing[i].Scope));
            }

            IReadOnlyList<SubjectKeyState> states;
            try
            {
                states = await _store.GetStatesAsync(pseudonyms, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsInfrastructureFailure(ex))
            {
                throw Unavailable(missing[0].Scope, ex);
            }

            if (states?.Count != missing.Count)
            {
                throw Unavailable(missing[0].Scope, new InvalidOperationException($"The key store returned {states?.Count} states for {missing.Count}."));
            }

            for (var i = 0; i < missing.Count; i++)
            {
                var (subjectId, scope) = missing[i];
                var pseudonym = pseudonyms[i].Subject;
                var state = states[i];
                if (state.Key is { } known)
                {
                    var entry = await TryUnwrapEntryAsync(subjectId, scope, known, state.LastShreddedVersion, cancellationToken).ConfigureAwait(false);
                    if (entry is null)
                    {
                        (single ??= []).Add((subjectId, scope));
                    }
                    else
                    {
                        loaded.Add(entry);
                    }
                }
                else if (!forWriting)
                {
                    loaded.Add(new DataKeyEntry(subjectId, scope, pseudonym, 0, state.LastShreddedVersion, default, _cache.Now()));
                }
                else
                {
                    if (random is null)
                    {
                        random = GC.AllocateUninitializedArray<byte>(DataKeySize * missing.Count, pinned: true);
                        RandomNumberGenerator.Fill(random);
                    }

                    var dataKey = random.AsMemory(i * DataKeySize, DataKeySize);
                    (creations ??= []).Add(new Creation(subjectId, scope, pseudonym, state.LastShreddedVersion, dataKey));
                }
            }

            if (creations is not null)
            {
                await CreateManyAsync(creations, loaded, cancellationToken).ConfigureAwait(false);
            }

            foreach (var entry in loaded)
            {
                if (!_cache.TryAdd(entry, epoch))
                {
                    entry.Dispose(); // A shred ran during the load: the next use loads again.
                }
            }

            loaded.Clear();
        }
        finally
        {
            foreach (var entry in loaded)
            {
                entry.Dispose();
            }

            CryptographicOperations.ZeroMemory(random);
        }

        foreach (var (subjectId, scope) in single ?? [])
        {
            using var lease = await AcquireAsync(subjectId, scope, forWriting, refresh: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Wraps and stores every new key in one call; adopts the keys other writers stored first.</summary>
    private async ValueTask CreateManyAsync(List<Creation> creations, List<DataKeyEntry> loaded, CancellationToken cancellationToken)
    {
        var created = new WrappedSubjectKey[creations.Count];
        // One registration for the whole batch (one lock, not one per key: a save of many new subjects creates as many).
        List<Creation>? oneByOne;
        using (_creating.Begin([.. creations.Select(c => (c.Pseudonym, c.Scope))]))
        {
            oneByOne = await CreateManyCoreAsync(creations, created, loaded, cancellationToken).ConfigureAwait(false);
        }

        // What the batch could not settle goes the single-key way, which reads each state again and retries (and may
        // wait for other writers: so only once this batch's own creations are no longer in flight).
        foreach (var c in oneByOne ?? [])
        {
            using var lease = await AcquireAsync(c.SubjectId, c.Scope, forWriting: true, refresh: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates and stores the keys; returns those to create one by one instead (none: null).</summary>
    private async ValueTask<List<Creation>?> CreateManyCoreAsync(List<Creation> creations, WrappedSubjectKey[] created, List<DataKeyEntry> loaded, CancellationToken cancellationToken)
    {
        IReadOnlyList<WrappedSubjectKey> stored;
        string kekId;
        try
        {
            kekId = await _keyEncryptionKeys.GetActiveKeyIdAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            for (var i = 0; i < creations.Count; i++)
            {
                var c = creations[i];
                var version = c.LastShreddedVersion + 1;
                var wrapped = await _keyEncryptionKeys.WrapAsync(kekId, c.DataKey, GetWrappingAssociatedData(c.Pseudonym, c.Scope, version), cancellationToken).ConfigureAwait(false);
                created[i] = new WrappedSubjectKey(c.Pseudonym, c.Scope, version, kekId, wrapped, now);
            }
        }
        catch (KeyUnavailableException)
        {
            // A rotation retired the KEK we read as active before we wrapped under it; nothing was stored: the
            // single-key path reads the active KEK again.
            return creations;
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            throw Unavailable(creations[0].Scope, ex);
        }

        try
        {
            stored = await _store.AddKeysAsync(created, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            // A version shredded between our read and our write (a race with an erasure, not an outage) fails the
            // whole batch; the single-key path reads each state again and retries. An outage fails there too.
            return creations;
        }

        if (stored?.Count != created.Length)
        {
            throw Unavailable(creations[0].Scope, new InvalidOperationException($"The key store returned {stored?.Count} keys for {created.Length}."));
        }

        var rotated = false;
        List<Creation>? retry = null;
        for (var i = 0; i < creations.Count; i++)
        {
            var c = creations[i];
            var key = stored[i];
            if (IsSameKey(key, created[i]))
            {
                DiagnosticsLog.KeyCreated(_logger, c.Pseudonym.Value, c.Scope, key.Version);
                _metrics.KeysCreated.Add(1, new KeyValuePair<string, object?>("gdpr.scope", c.Scope));

                // One look at the active KEK for the batch (see RewrapIfRotatedAsync); rewrap each only if it moved.
                if (i == 0 || rotated)
                {
                    rotated = await ActiveKeyChangedAsync(kekId, c.Scope, cancellationToken).ConfigureAwait(false);
                }

                if (rotated)
                {
                    key = await RewrapIfRotatedAsync(key, c.DataKey, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                // Another writer (thread or node) won the race: use its key so every value lands under the one the
                // store keeps. If a rotation retired the KEK the winner wrapped it under before the winner rewrapped
                // it, the single-key path waits for that writer (if it is in this process) and reads the key again.
                try
                {
                    await UnwrapAsync(key, c.DataKey, cancellationToken).ConfigureAwait(false);
                }
                catch (KeyUnavailableException)
                {
                    (retry ??= []).Add(c);
                    continue;
                }
            }

            loaded.Add(NewEntry(c.SubjectId, c.Scope, c.Pseudonym, key, c.LastShreddedVersion, c.DataKey.Span));
        }

        return retry;
    }

    private async ValueTask<bool> ActiveKeyChangedAsync(string kekId, string scope, CancellationToken cancellationToken)
    {
        try
        {
            return await _keyEncryptionKeys.GetActiveKeyIdAsync(cancellationToken).ConfigureAwait(false) != kekId;
        }
        catch (Exception ex) when (IsInfrastructureFailure(ex))
        {
            throw Unavailable(scope, ex);
        }
    }

    /// <summary>Unwraps a known key into an entry; null when its KEK was retired under the read (a rotation), for the single-key path to retry.</summary>
    private async ValueTask<DataKeyEntry?> TryUnwrapEntryAsync(string subjectId, string scope, WrappedSubjectKey key, int lastShreddedVersion, CancellationToken cancellationToken)
    {
        var dataKey = GC.AllocateUninitializedArray<byte>(DataKeySize, pinned: true);
        try
        {
            await UnwrapAsync(key, dataKey, cancellationToken).ConfigureAwait(false);
            return NewEntry(subjectId, scope, key.Subject, key, lastShreddedVersion, dataKey);
        }
        catch (KeyUnavailableException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private DataKeyEntry NewEntry(string subjectId, string scope, SubjectPseudonym pseudonym, WrappedSubjectKey key, int lastShreddedVersion, ReadOnlySpan<byte> dataKey)
    {
        var entry = new DataKeyEntry(subjectId, scope, pseudonym, key.Version, Math.Max(lastShreddedVersion, key.Version - 1), dataKey, _cache.Now());
        try
        {
            // Import the key into the AEAD now, not on the first synchronous encryption (as LoadAsync does).
            entry.GetCipher(_algorithm);
            return entry;
        }
        catch
        {
            entry.Dispose();
            throw;
        }
    }

    // DataKey: the creation's slice of the batch's one pinned buffer of key bytes (wiped as a whole).
    private sealed record Creation(string SubjectId, string Scope, SubjectPseudonym Pseudonym, int LastShreddedVersion, Memory<byte> DataKey);
}
