using Gdpr.Storage.EfCore.Tests.Keys;
using Gdpr.Streams;
using Gdpr.Testing;

namespace Gdpr.Storage.EfCore.Tests.Streams;

// The EF blob store runs the contract the file-system store runs (Gdpr.Testing): on a SQLite file, and on PostgreSQL.

public sealed class SqliteEfCoreBlobStoreContractTests : BlobStoreContractTests, IAsyncLifetime
{
    private readonly BlobDatabase _database = BlobDatabase.Sqlite();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    protected override IBlobStore CreateStore() => _database.Blobs;
}

public sealed class PostgresEfCoreBlobStoreContractTests(PostgresKeyStoreDatabase server) : BlobStoreContractTests, IClassFixture<PostgresKeyStoreDatabase>, IAsyncLifetime
{
    private BlobDatabase? _database;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override IBlobStore CreateStore()
        => (_database = BlobDatabase.Postgres(server.CreateEmptyDatabaseAsync().GetAwaiter().GetResult())).Blobs;
}
