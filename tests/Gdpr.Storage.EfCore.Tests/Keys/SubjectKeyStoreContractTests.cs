using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

// The ISubjectKeyStore contract (Gdpr.Testing) run against the EF key store on a SQLite file and on PostgreSQL.
public sealed class SqliteSubjectKeyStoreContractTests : SubjectKeyStoreContractTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();
    private readonly ServiceProvider _services;
    private readonly ISubjectKeyStore _store;

    public SqliteSubjectKeyStoreContractTests()
    {
        _services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory);
        _store = _services.GetRequiredService<ISubjectKeyStore>();
    }

    protected override ISubjectKeyStore CreateStore() => _store;

    [Fact]
    public void UseEfCoreKeyStore_ReplacesTheInMemoryStore() => Assert.IsType<EfCoreSubjectKeyStore>(Store);

    [Fact]
    public async Task GetKeysWrappedWith_MoreKeysThanOnePage_ListsEachKeyOnce()
    {
        ((EfCoreSubjectKeyStore)Store).PageSize = 2;
        var added = new List<WrappedSubjectKey>();
        for (var i = 0; i < 5; i++)
        {
            added.Add(await Store.AddKeyAsync(NewKey(TestHosts.NewPseudonym(), kek: "kek-paged")));
        }

        var listed = await ToListAsync(Store.GetKeysWrappedWithAsync("kek-paged"));

        Assert.Equal(added.Select(k => k.Subject.Value).Order(), listed.Select(k => k.Subject.Value).Order());
    }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}

public sealed class PostgresSubjectKeyStoreContractTests : SubjectKeyStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private readonly PostgresKeyStoreDatabase _database;
    private ServiceProvider? _services;

    public PostgresSubjectKeyStoreContractTests(PostgresKeyStoreDatabase database) => _database = database;

    protected override ISubjectKeyStore CreateStore()
    {
        var connectionString = _database.ConnectionString; // skips when PostgreSQL is not configured
        _services ??= TestHosts.Build(o => o.UseNpgsql(connectionString), _database.KeyRingDirectory);
        return _services.GetRequiredService<ISubjectKeyStore>();
    }

    public void Dispose() => _services?.Dispose();
}
