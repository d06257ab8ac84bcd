using Gdpr.Keys;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.TestSupport;

/// <summary>A real in-memory store whose physical-removal answer the test sets, counting the calls.</summary>
internal sealed class RemovalReportingKeyStore(ISubjectKeyStore inner) : FaultInjectingSubjectKeyStore(inner)
{
    public KeyRemovalStatus Next { get; set; } = KeyRemovalStatus.NotApplicable;

    public Exception? Failure { get; set; }

    public int Calls { get; private set; }

    public override ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken = default)
    {
        Calls++;
        return Failure is { } failure ? throw failure : ValueTask.FromResult(Next);
    }
}

