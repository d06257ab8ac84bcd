using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Requests;
using Gdpr.Retention;
using Gdpr.Testing;
using Microsoft.Extensions.Options;

namespace Gdpr.Core.Tests.Contracts;

// The SDK's own in-memory stores and local key ring run the same contract classes (Gdpr.Testing) that a
// consumer's own store runs.
public sealed class InMemorySubjectKeyStoreContractTests : SubjectKeyStoreContractTests
{
    protected override ISubjectKeyStore CreateStore() => new InMemorySubjectKeyStore();
}

public sealed class InMemoryAuditStoreContractTests : AuditStoreContractTests
{
    protected override IAuditStore CreateStore() => new InMemoryAuditStore();
}

public sealed class InMemoryLegalHoldStoreContractTests : LegalHoldStoreContractTests
{
    protected override ILegalHoldStore CreateStore() => new InMemoryLegalHoldStore();
}

public sealed class InMemoryRetentionScheduleStoreContractTests : RetentionScheduleStoreContractTests
{
    protected override IRetentionScheduleStore CreateStore() => new InMemoryRetentionScheduleStore();
}

/// <summary>The local key ring without a folder: keys in this process's memory only.</summary>
public sealed class InMemoryKeyRingContractTests : KeyEncryptionKeyProviderContractTests, IDisposable
{
    private LocalKeyEncryptionKeyProvider? _provider;

    protected override IKeyEncryptionKeyProvider CreateProvider(TimeProvider time)
        => _provider = new LocalKeyEncryptionKeyProvider(Options.Create(new LocalKeyRingOptions()), time);

    public void Dispose() => _provider?.Dispose();
}

/// <summary>The local key ring in a folder: a second provider over the same folder is another process.</summary>
public sealed class FolderKeyRingContractTests : DurableKeyEncryptionKeyProviderContractTests, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gdpr-kek-contract-");
    private LocalKeyEncryptionKeyProvider? _provider;

    protected override IKeyEncryptionKeyProvider CreateProvider(TimeProvider time) => _provider = Open(time);

    protected override IKeyEncryptionKeyProvider CreateSecondInstance(TimeProvider time) => Open(time);

    public void Dispose()
    {
        _provider?.Dispose();
        _directory.Delete(recursive: true);
    }

    private LocalKeyEncryptionKeyProvider Open(TimeProvider time)
        => new(Options.Create(new LocalKeyRingOptions { Directory = Path.Combine(_directory.FullName, "ring") }), time);
}

public sealed class InMemoryDataSubjectRequestStoreContractTests : DataSubjectRequestStoreContractTests
{
    protected override IDataSubjectRequestStore CreateStore() => new InMemoryDataSubjectRequestStore();
}
