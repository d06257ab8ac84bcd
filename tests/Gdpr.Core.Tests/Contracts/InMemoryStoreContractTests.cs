using Gdpr.Keys;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Contracts;

// The SDK's in-memory stores run the same contract classes (Gdpr.Testing) a consumer's own store runs.
public sealed class InMemorySubjectKeyStoreContractTests : SubjectKeyStoreContractTests
{
    protected override ISubjectKeyStore CreateStore() => new InMemorySubjectKeyStore();
}
