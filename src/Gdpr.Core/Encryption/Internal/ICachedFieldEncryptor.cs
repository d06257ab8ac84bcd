using Gdpr.Encryption.Infrastructure;

namespace Gdpr.Encryption.Internal;

/// <summary>
/// The storage adapters' side of the field encryptor: keys are prepared in the cache first, asynchronously, and
/// then used by the synchronous paths (a save's encryption, a query's materialization), which never block on I/O.
/// Internal: only the lockstep packages (the EF adapter) use it, through InternalsVisibleTo.
/// </summary>
internal interface ICachedFieldEncryptor : ISpanFieldEncryptor
{
    /// <summary>
    /// Loads the key of every (subject, scope) into the cache, creating the missing ones when
    /// <paramref name="forWriting"/> with one key-store call (<see cref="Keys.ISubjectKeyStore.AddKeysAsync"/>).
    /// </summary>
    /// <param name="keys">The (subject id, scope) pairs, each at most once.</param>
    /// <param name="forWriting">Whether to create the keys subjects do not have yet.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every key (or the knowledge that it was destroyed) is cached.</returns>
    /// <exception cref="Keys.InvalidSubjectIdException">A subject id is invalid; no key was read or created.</exception>
    /// <exception cref="KeyUnavailableException">The key store or the key-encryption key cannot be reached.</exception>
    ValueTask PrepareManyAsync(IReadOnlyList<(string SubjectId, string Scope)> keys, bool forWriting, CancellationToken cancellationToken = default);
}
