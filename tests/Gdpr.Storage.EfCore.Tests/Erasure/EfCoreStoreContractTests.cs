using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Requests;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Tests.Keys;
using Gdpr.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Erasure;

// The EF Core audit, legal-hold and retention-schedule stores and the KEK ledger run the same contract classes
// (Gdpr.Testing) a consumer's own store runs: on a SQLite file, and on PostgreSQL.

/// <summary>The EF stores of one test over a fresh SQLite file.</summary>
internal sealed class SqliteStores : IDisposable
{
    private readonly SqliteErasureDatabase _database = new();
    private readonly ServiceProvider _services;

    public SqliteStores() => _services = _database.CreateProvider(new FakeTimeProvider(SqliteErasureDatabase.Day0));

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}

/// <summary>The EF stores of one test over a fresh PostgreSQL database (skips when PostgreSQL is not configured).</summary>
internal sealed class PostgresStores(PostgresKeyStoreDatabase server) : IDisposable
{
    private ServiceProvider? _services;

    public T Get<T>()
        where T : notnull
    {
        if (_services is null)
        {
            var connectionString = server.CreateEmptyDatabaseAsync().GetAwaiter().GetResult();
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(SqliteErasureDatabase.Day0));
            services.AddDbContextFactory<ErasureTestDbContext>((sp, o) => o.UseNpgsql(connectionString).UseGdpr(sp));
            services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores()
                .UseEfCoreAuditTrail<ErasureTestDbContext>()
                .UseEfCoreRetentionSchedule<ErasureTestDbContext>()
                .UseEfCoreLegalHolds<ErasureTestDbContext>()
                .UseEfCoreDataSubjectRequests<ErasureTestDbContext>();
            _services = services.BuildServiceProvider();
            using var db = _services.GetRequiredService<IDbContextFactory<ErasureTestDbContext>>().CreateDbContext();
            db.Database.EnsureCreated();
        }

        return _services.GetRequiredService<T>();
    }

    public void Dispose() => _services?.Dispose();
}

public sealed class SqliteAuditStoreContractTests : AuditStoreContractTests, IDisposable
{
    private readonly SqliteStores _stores = new();

    protected override IAuditStore CreateStore() => _stores.Get<IAuditStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class SqliteLegalHoldStoreContractTests : LegalHoldStoreContractTests, IDisposable
{
    private readonly SqliteStores _stores = new();

    protected override ILegalHoldStore CreateStore() => _stores.Get<ILegalHoldStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class SqliteRetentionScheduleStoreContractTests : RetentionScheduleStoreContractTests, IDisposable
{
    private readonly SqliteStores _stores = new();

    protected override IRetentionScheduleStore CreateStore() => _stores.Get<IRetentionScheduleStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class SqliteDataSubjectRequestStoreContractTests : DataSubjectRequestStoreContractTests, IDisposable
{
    private readonly SqliteStores _stores = new();

    protected override IDataSubjectRequestStore CreateStore() => _stores.Get<IDataSubjectRequestStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class PostgresDataSubjectRequestStoreContractTests(PostgresKeyStoreDatabase server) : DataSubjectRequestStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresStores _stores = new(server);

    protected override IDataSubjectRequestStore CreateStore() => _stores.Get<IDataSubjectRequestStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class PostgresAuditStoreContractTests(PostgresKeyStoreDatabase server) : AuditStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresStores _stores = new(server);

    protected override IAuditStore CreateStore() => _stores.Get<IAuditStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class PostgresLegalHoldStoreContractTests(PostgresKeyStoreDatabase server) : LegalHoldStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresStores _stores = new(server);

    protected override ILegalHoldStore CreateStore() => _stores.Get<ILegalHoldStore>();

    public void Dispose() => _stores.Dispose();
}

public sealed class PostgresRetentionScheduleStoreContractTests(PostgresKeyStoreDatabase server) : RetentionScheduleStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresStores _stores = new(server);

    protected override IRetentionScheduleStore CreateStore() => _stores.Get<IRetentionScheduleStore>();

    public void Dispose() => _stores.Dispose();
}

/// <summary>The KEK provider an application gets with the EF key store: the local key ring behind the EF KEK ledger.</summary>
public sealed class SqliteKeyEncryptionKeyLedgerContractTests : DurableKeyEncryptionKeyProviderContractTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();
    private readonly List<ServiceProvider> _services = [];

    protected override IKeyEncryptionKeyProvider CreateProvider(TimeProvider time) => Open(time);

    protected override IKeyEncryptionKeyProvider CreateSecondInstance(TimeProvider time) => Open(time);

    public void Dispose()
    {
        foreach (var services in _services)
        {
            services.Dispose();
        }

        _database.Dispose();
    }

    private IKeyEncryptionKeyProvider Open(TimeProvider time)
    {
        var services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory, time);
        _services.Add(services);
        return services.GetRequiredService<IKeyEncryptionKeyProvider>();
    }
}
