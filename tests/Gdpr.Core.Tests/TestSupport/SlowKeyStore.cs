using Gdpr.Keys;

namespace Gdpr.Core.Tests.TestSupport;

/// <summary>A real in-memory store behind a delay on every write, like a remote database: widens race windows.</summary>
internal sealed class SlowKeyStore(InMemorySubjectKeyStore inner, TimeSpan delay) : ISubjectKeyStore
{
    public ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default) => inner.GetStateAsync(subject, scope, cancellationToken);

    public async ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.AddKeyAsync(key, cancellationToken);
    }

    public ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
        => inner.ShredAsync(subject, scope, shreddedAt, cancellationToken);

    public IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default) => inner.GetScopesAsync(subject, cancellationToken);

    public IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default) => inner.GetTombstonesAsync(subject, cancellationToken);

    public IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
        => inner.GetKeysWrappedWithAsync(keyEncryptionKeyId, cancellationToken);

    public async ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.ReplaceWrappingAsync(current, rewrapped, cancellationToken);
    }
}
