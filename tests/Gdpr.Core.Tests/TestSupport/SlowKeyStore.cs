using Gdpr.Keys;

namespace Gdpr.Core.Tests.TestSupport;

/// <summary>A real in-memory store behind a delay on every write, like a remote database: widens race windows.</summary>
internal sealed class SlowKeyStore(InMemorySubjectKeyStore inner, TimeSpan delay) : ForwardingKeyStore(inner)
{
    public override async ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken);
        return await Inner.AddKeyAsync(key, cancellationToken);
    }

    public override async ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken);
        return await Inner.ReplaceWrappingAsync(current, rewrapped, cancellationToken);
    }
}
