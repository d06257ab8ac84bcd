using Gdpr.Keys;

namespace Gdpr.Core.Tests.TestSupport;

/// <summary>
/// A real key store behind a wrapper that forwards every call; tests derive from it and override only the call they
/// slow down, gate or make fail, so each wrapper shows exactly what it changes.
/// </summary>
internal abstract class ForwardingKeyStore(ISubjectKeyStore inner) : ISubjectKeyStore
{
    protected ISubjectKeyStore Inner { get; } = inner;

    public virtual ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
        => Inner.GetStateAsync(subject, scope, cancellationToken);

    public virtual async ValueTask<IReadOnlyList<SubjectKeyState>> GetStatesAsync(IReadOnlyList<(SubjectPseudonym Subject, string Scope)> keys, CancellationToken cancellationToken = default)
    {
        // The interface's default, through this wrapper's GetStateAsync (which a test may slow down or fail).
        var states = new SubjectKeyState[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            states[i] = await GetStateAsync(keys[i].Subject, keys[i].Scope, cancellationToken);
        }

        return states;
    }

    public virtual ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
        => Inner.AddKeyAsync(key, cancellationToken);

    public virtual ValueTask<IReadOnlyList<WrappedSubjectKey>> AddKeysAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken = default)
        => DefaultAddKeysAsync(keys, cancellationToken);

    public virtual ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
        => Inner.ShredAsync(subject, scope, shreddedAt, cancellationToken);

    public virtual IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
        => Inner.GetScopesAsync(subject, cancellationToken);

    public virtual IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
        => Inner.GetTombstonesAsync(subject, cancellationToken);

    public virtual IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
        => Inner.GetKeysWrappedWithAsync(keyEncryptionKeyId, cancellationToken);

    public virtual ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
        => Inner.ReplaceWrappingAsync(current, rewrapped, cancellationToken);

    public virtual ValueTask<string?> AddPseudonymKeyCheckAsync(string checkValue, CancellationToken cancellationToken = default)
        => Inner.AddPseudonymKeyCheckAsync(checkValue, cancellationToken);

    public virtual ValueTask<IReadOnlyList<string>?> GetKeyEncryptionKeyIdsInUseAsync(CancellationToken cancellationToken = default)
        => Inner.GetKeyEncryptionKeyIdsInUseAsync(cancellationToken);

    /// <summary>The interface's default: one <see cref="AddKeyAsync"/> per key, through this wrapper's override.</summary>
    protected async ValueTask<IReadOnlyList<WrappedSubjectKey>> DefaultAddKeysAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken)
    {
        var kept = new WrappedSubjectKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            kept[i] = await AddKeyAsync(keys[i], cancellationToken);
        }

        return kept;
    }

    public virtual ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken = default)
        => Inner.CompleteRemovalAsync(cancellationToken);
}
