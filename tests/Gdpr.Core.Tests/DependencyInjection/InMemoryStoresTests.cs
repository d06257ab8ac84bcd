using Gdpr.Audit;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.DependencyInjection;

/// <summary>
/// In-memory stores are for tests and samples: without the explicit opt-in, a host whose keys, audit trail, retention
/// schedule, legal holds or signing key would live in memory does not start (a restart would lose every key, and an
/// erasure's "retained until" date would never have been written: Art. 5(1)(e), Art. 17(3)(b)).
/// </summary>
public sealed class InMemoryStoresTests : IDisposable
{
    private static readonly FieldAddress Email = new("cust-inmemory-1", "default", "Customer.Email");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-startup-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task HostStart_EveryComponentInMemoryWithoutOptIn_FailsNamingEachComponentAndTheCallThatReplacesIt()
    {
        await using var provider = Build();

        var ex = await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(() => StartLikeAHostAsync(provider));

        Assert.Equal(6, ex.Components.Count);
        foreach (var expected in new[]
        {
            "key store (UseEfCoreKeyStore", "key-encryption keys (local key ring) (UseLocalKeyRing(directory)",
            "audit trail (UseEfCoreAuditTrail<TContext>()", "retention schedule (UseEfCoreRetentionSchedule<TContext>()",
            "legal holds (UseEfCoreLegalHolds<TContext>()", "erasure-certificate signing key (UseCertificateSigningKey(directory)",
        })
        {
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }

        Assert.Contains("UseInMemoryStores()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstKeyOperation_WithoutAHost_AndWithoutOptIn_FailsBeforeAnyKeyIsCreated()
    {
        var store = new InMemorySubjectKeyStore();
        await using var provider = Build(services: s => s.AddSingleton<ISubjectKeyStore>(store));
        var encryptor = provider.GetRequiredService<IFieldEncryptor>();

        await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(async () => await encryptor.EncryptValueAsync(Email, "jan@example.org"));
        await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(async () => await provider.GetRequiredService<ISubjectKeyManager>().ShredAsync(Email.SubjectId, "default"));

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task HostStart_PersistentKeyRingAndSigningKey_NamesOnlyTheComponentsStillInMemory()
    {
        await using var provider = Build(gdpr: b => b.UseLocalKeyRing(Path.Combine(_directory, "kek")).UseCertificateSigningKey(Path.Combine(_directory, "signing")));

        var ex = await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(() => StartLikeAHostAsync(provider));

        Assert.Equal(["key store", "audit trail", "retention schedule", "legal holds"], ex.Components.Select(c => c[..c.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.DoesNotContain("UseLocalKeyRing", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("UseCertificateSigningKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_CustomStoresForEverything_Starts()
    {
        await using var provider = Build(
            services: s => s
                .AddSingleton<ISubjectKeyStore, CustomKeyStore>()
                .AddSingleton<IAuditStore, CustomAuditStore>()
                .AddSingleton<IRetentionScheduleStore, CustomScheduleStore>()
                .AddSingleton<ILegalHoldStore, CustomHoldStore>(),
            gdpr: b => b.UseLocalKeyRing(Path.Combine(_directory, "kek")).UseCertificateSigningKey(Path.Combine(_directory, "signing")));

        await StartLikeAHostAsync(provider);

        Assert.Equal("jan@example.org", (await provider.GetRequiredService<IFieldEncryptor>().DecryptValueAsync<string>(
            Email, await provider.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(Email, "jan@example.org"))).Value);
        Assert.DoesNotContain(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 1008);
    }

    [Fact]
    public async Task UseInMemoryStores_StartsAndLogsOneWarningPerInMemoryComponent()
    {
        await using var provider = Build(gdpr: b => b.UseInMemoryStores());

        await StartLikeAHostAsync(provider);
        await provider.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(Email, "jan@example.org");

        var warnings = provider.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == 1008).ToList();
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Equal(
            ["key store", "key-encryption keys (local key ring)", "audit trail", "retention schedule", "legal holds", "erasure-certificate signing key"],
            warnings.Select(w => w.StructuredState!.Single(p => p.Key == "Component").Value));
    }

    [Fact]
    public async Task UseInMemoryStores_WithAPersistentKeyStoreRegisteredLater_StillUsesThePersistentOne()
    {
        await using var provider = Build(gdpr: b => b.UseInMemoryStores(), services: s => s.AddSingleton<ISubjectKeyStore, CustomKeyStore>());

        await StartLikeAHostAsync(provider);

        Assert.IsType<CustomKeyStore>(provider.GetRequiredService<ISubjectKeyStore>());
        Assert.DoesNotContain(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 1008 && r.Message.Contains("in-memory key store", StringComparison.Ordinal));
    }

    /// <summary>What <c>Host.StartAsync</c> does: validate options, then StartingAsync and StartAsync of every hosted service.</summary>
    internal static async Task StartLikeAHostAsync(IServiceProvider provider)
    {
        provider.GetRequiredService<IStartupValidator>().Validate();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted.OfType<IHostedLifecycleService>())
        {
            await service.StartingAsync(CancellationToken.None);
        }

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    private static ServiceProvider Build(Action<IGdprBuilder>? gdpr = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        collection.AddFakeLogging();
        var builder = collection.AddGdpr(o => o.PseudonymKey = GdprTestHost.PseudonymKey);
        gdpr?.Invoke(builder);
        services?.Invoke(collection);
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    // Stand-ins for an application's own persistent stores: real stores behind types the SDK does not know.
    private sealed class CustomKeyStore() : FaultInjectingSubjectKeyStore(new InMemorySubjectKeyStore());

    private sealed class CustomAuditStore : IAuditStore
    {
        private readonly InMemoryAuditStore _inner = new();

        public ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default) => _inner.GetLastAsync(cancellationToken);

        public ValueTask<bool> TryAppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) => _inner.TryAppendAsync(entries, cancellationToken);

        public IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence, CancellationToken cancellationToken = default) => _inner.ReadAsync(fromSequence, cancellationToken);
    }

    private sealed class CustomScheduleStore : IRetentionScheduleStore
    {
        private readonly InMemoryRetentionScheduleStore _inner = new();

        public ValueTask SetAsync(RetentionScheduleEntry entry, CancellationToken cancellationToken = default) => _inner.SetAsync(entry, cancellationToken);

        public ValueTask<RetentionScheduleEntry?> GetAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default) => _inner.GetAsync(subject, scope, cancellationToken);

        public ValueTask<IReadOnlyList<RetentionScheduleEntry>> GetDueAsync(DateTimeOffset dueBy, RetentionScheduleKey? after, int maxCount, CancellationToken cancellationToken = default) => _inner.GetDueAsync(dueBy, after, maxCount, cancellationToken);

        public ValueTask RemoveAsync(IReadOnlyCollection<RetentionScheduleKey> keys, CancellationToken cancellationToken = default) => _inner.RemoveAsync(keys, cancellationToken);

        public ValueTask<DateTimeOffset?> GetRelationshipEndAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default) => _inner.GetRelationshipEndAsync(subject, cancellationToken);

        public ValueTask SetRelationshipEndAsync(SubjectPseudonym subject, DateTimeOffset endedAt, CancellationToken cancellationToken = default) => _inner.SetRelationshipEndAsync(subject, endedAt, cancellationToken);
    }

    private sealed class CustomHoldStore : ILegalHoldStore
    {
        private readonly InMemoryLegalHoldStore _inner = new();

        public ValueTask AddAsync(LegalHold hold, CancellationToken cancellationToken = default) => _inner.AddAsync(hold, cancellationToken);

        public ValueTask<LegalHold?> ReleaseAsync(SubjectPseudonym subject, string holdId, DateTimeOffset releasedAt, CancellationToken cancellationToken = default) => _inner.ReleaseAsync(subject, holdId, releasedAt, cancellationToken);

        public ValueTask<IReadOnlyList<LegalHold>> GetActiveAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default) => _inner.GetActiveAsync(subject, cancellationToken);

        public ValueTask<IReadOnlySet<SubjectPseudonym>> GetHeldAsync(IReadOnlyCollection<SubjectPseudonym> subjects, CancellationToken cancellationToken = default) => _inner.GetHeldAsync(subjects, cancellationToken);
    }
}
