namespace Gdpr.Keys;

/// <summary>
/// Keeps the wrapped data keys and the tombstones of destroyed ones. The SDK ships an in-memory store and an
/// EF Core one; consumers may plug in their own (a key vault, a separate database).
/// </summary>
/// <remarks>
/// <para>Subjects are known only by pseudonym. Implementations must be safe for concurrent use.</para>
/// <para>At most one live key exists per (subject, scope): <see cref="AddKeyAsync"/> must be atomic, so that two
/// writers creating the first key of a new subject at once converge on one key. A store that cannot be reached
/// throws; the SDK then fails closed and writes no value.</para>
/// </remarks>
public interface ISubjectKeyStore
{
    /// <summary>Reads the live key and the last shredded version of one subject's scope.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The retention scope.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state; <see cref="SubjectKeyState.Key"/> is <see langword="null"/> when there is no live key.</returns>
    ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the states of many subjects' scopes at once, as one query where the store can: a save of many new
    /// subjects reads them all before it creates their keys in one <see cref="AddKeysAsync"/> call.
    /// </summary>
    /// <param name="keys">The (pseudonym, scope) pairs.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The states, in the order of <paramref name="keys"/>.</returns>
    /// <remarks>The default calls <see cref="GetStateAsync"/> once per pair.</remarks>
    async ValueTask<IReadOnlyList<SubjectKeyState>> GetStatesAsync(IReadOnlyList<(SubjectPseudonym Subject, string Scope)> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var states = new SubjectKeyState[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            states[i] = await GetStateAsync(keys[i].Subject, keys[i].Scope, cancellationToken).ConfigureAwait(false);
        }

        return states;
    }

    /// <summary>
    /// Stores <paramref name="key"/> unless a live key already exists for its subject and scope, atomically.
    /// </summary>
    /// <param name="key">The new key. Its version is one more than the scope's last shredded version.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The key the store keeps: <paramref name="key"/>, or the one another writer stored first.</returns>
    ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores each of <paramref name="keys"/> unless a live key already exists for its subject and scope, as one
    /// atomic unit where the store can (the EF store writes them in one transaction). Each key keeps the
    /// <see cref="AddKeyAsync"/> guarantee: concurrent writers converge on one key per (subject, scope).
    /// </summary>
    /// <param name="keys">The new keys; at most one per (subject, scope).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The keys the store keeps, in the order of <paramref name="keys"/>: each new key, or the one another writer stored first.</returns>
    /// <remarks>The default calls <see cref="AddKeyAsync"/> once per key.</remarks>
    async ValueTask<IReadOnlyList<WrappedSubjectKey>> AddKeysAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var kept = new WrappedSubjectKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            kept[i] = await AddKeyAsync(keys[i], cancellationToken).ConfigureAwait(false);
        }

        return kept;
    }

    /// <summary>
    /// Destroys the live key of a subject's scope and records its tombstone, atomically. The key bytes must be
    /// gone from the store when this returns.
    /// </summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The retention scope.</param>
    /// <param name="shreddedAt">The time to record in the tombstone.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tombstone, or <see langword="null"/> when the scope had no live key (already shredded or never created).</returns>
    ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default);

    /// <summary>Lists the scopes for which a subject has a live key.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The scope names.</returns>
    IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default);

    /// <summary>Lists the tombstones of a subject, for erasure certificates and audits.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The tombstones.</returns>
    IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default);

    /// <summary>Lists the live keys wrapped under one key-encryption key, for KEK rotation.</summary>
    /// <param name="keyEncryptionKeyId">The key-encryption key's id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The wrapped keys.</returns>
    IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the wrapping of a live key (KEK rotation), only if the stored key still has the subject, scope,
    /// version and KEK id of <paramref name="current"/>.
    /// </summary>
    /// <param name="current">The key as read.</param>
    /// <param name="rewrapped">The same key wrapped under another key-encryption key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when replaced; <see langword="false"/> when the key was shredded or rewrapped meanwhile.</returns>
    ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the pseudonym-key check value the store keeps, storing <paramref name="checkValue"/> first when it
    /// keeps none yet (atomically: concurrent first starts converge on one value). The value is a keyed hash of a
    /// fixed label under the pseudonym key, never the key; the SDK compares it at start to detect a wrong key.
    /// </summary>
    /// <param name="checkValue">The check value of the configured pseudonym key (base64url, at most 128 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The value the store keeps: <paramref name="checkValue"/>, or the one stored before. <see langword="null"/> when
    /// the store cannot keep one (the default), in which case the SDK logs that a wrong pseudonym key goes undetected.
    /// </returns>
    ValueTask<string?> AddPseudonymKeyCheckAsync(string checkValue, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<string?>(null);

    /// <summary>Lists the distinct ids of the key-encryption keys that wrap at least one live key, for the start-up check.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The KEK ids, or <see langword="null"/> when the store cannot list them (the default).</returns>
    ValueTask<IReadOnlyList<string>?> GetKeyEncryptionKeyIdsInUseAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<string>?>(null);

    /// <summary>
    /// Makes sure the bytes of every key destroyed and every wrapping replaced so far are gone from the store's own
    /// files, finishing what an earlier call (or a process that died between a shred and its clean-up) left pending,
    /// and says whether they are known to be gone. Called by every erasure that reports destroyed scopes and by every
    /// KEK rotation. The default is for stores that cannot know: <see cref="KeyRemovalStatus.NotApplicable"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the bytes are known to be gone.</returns>
    ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult(KeyRemovalStatus.NotApplicable);
}
