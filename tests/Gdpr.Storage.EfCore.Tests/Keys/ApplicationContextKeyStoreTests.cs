using Gdpr.Encryption.Infrastructure;
using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

public sealed class AppOrder
{
    public int Id { get; set; }

    public string Reference { get; set; } = string.Empty;
}

/// <summary>An application's own DbContext that also holds the key store.</summary>
public sealed class KeyStoreAppContext(DbContextOptions<KeyStoreAppContext> options) : DbContext(options)
{
    public DbSet<AppOrder> Orders => Set<AppOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AppOrder>().ToTable("shop_orders");
        modelBuilder.AddGdprKeyStore();
    }
}

/// <summary>An application's DbContext that keeps the key store in a schema of its own.</summary>
public sealed class SchemaAppContext(DbContextOptions<SchemaAppContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddGdprKeyStore(schema: "gdpr_keys");
}

/// <summary>An application's DbContext whose model forgot the key store.</summary>
public sealed class ForgetfulContext(DbContextOptions<ForgetfulContext> options) : DbContext(options)
{
    public DbSet<AppOrder> Orders => Set<AppOrder>();
}

/// <summary>The key store inside the application's own DbContext, used while that context is busy reading.</summary>
public abstract class ApplicationContextKeyStoreTests
{
    protected const string Scope = "default";

    /// <summary>Configures a fresh, empty database for the application's context.</summary>
    protected abstract Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync();

    protected abstract string KeyRingDirectory { get; }

    [SkippableFact]
    public async Task KeyStore_InTheApplicationsContext_KeepsKeysNextToItsTables()
    {
        await using var services = await BuildAsync();
        var subjectId = TestHosts.NewSubjectId();
        var field = new FieldAddress(subjectId, Scope, "Customer.Email");

        var envelope = await services.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(field, "x@example.org");

        using var db = services.GetRequiredService<IDbContextFactory<KeyStoreAppContext>>().CreateDbContext();
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subjectId).Value;
        Assert.Equal(1, await db.Set<SubjectKeyRow>().CountAsync(k => k.Pseudonym == pseudonym && k.Scope == Scope));
        Assert.Equal("x@example.org", (await services.GetRequiredService<IFieldEncryptor>().DecryptValueAsync<string>(field, envelope)).Value);
    }

    [SkippableFact]
    public async Task KeyStore_WhileTheApplicationsContextIsReading_WorksOnItsOwnConnection()
    {
        await using var services = await BuildAsync();
        var factory = services.GetRequiredService<IDbContextFactory<KeyStoreAppContext>>();
        using (var seed = factory.CreateDbContext())
        {
            seed.Orders.AddRange(Enumerable.Range(1, 5).Select(i => new AppOrder { Reference = "order-" + i }));
            await seed.SaveChangesAsync();
        }

        var encryptor = services.GetRequiredService<ISpanFieldEncryptor>();
        var store = services.GetRequiredService<ISubjectKeyStore>();
        var keys = services.GetRequiredService<ISubjectKeyManager>();
        var read = 0;
        using var app = factory.CreateDbContext();

        // As the EF materialization interceptors do: key lookups (and first writes) while the reader is open.
        await foreach (var order in app.Orders.AsAsyncEnumerable())
        {
            var subjectId = TestHosts.NewSubjectId();
            await encryptor.PrepareAsync(subjectId, Scope, forWriting: true);

            // The synchronous path a materialization interceptor has, on the busy context's thread.
            var state = store.GetStateAsync(keys.GetPseudonym(subjectId), Scope).AsTask().GetAwaiter().GetResult();
            Assert.Equal(1, state.Key!.Version);
            read++;
        }

        Assert.Equal(5, read);
    }

    private async Task<ServiceProvider> BuildAsync()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContextFactory<KeyStoreAppContext>((sp, o) => database(o.UseGdpr(sp)));
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey).UseInMemoryStores().UseEfCorePostgreSql()
            .UseLocalKeyRing(KeyRingDirectory)
            .UseEfCoreKeyStore<KeyStoreAppContext>();
        var provider = services.BuildServiceProvider();
        using var db = provider.GetRequiredService<IDbContextFactory<KeyStoreAppContext>>().CreateDbContext();
        await db.Database.EnsureCreatedAsync();
        return provider;
    }
}

public sealed class SqliteApplicationContextKeyStoreTests : ApplicationContextKeyStoreTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();

    protected override string KeyRingDirectory => _database.KeyRingDirectory;

    [Fact]
    public async Task UseEfCoreKeyStore_ContextWithoutKeyStoreTables_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<ForgetfulContext>((sp, o) => o.UseSqlite(_database.ConnectionString).UseGdpr(sp));
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey).UseInMemoryStores().UseEfCoreKeyStore<ForgetfulContext>();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(
            async () => await provider.GetRequiredService<ISubjectKeyStore>().GetStateAsync(TestHosts.NewPseudonym(), Scope));

        Assert.Contains("AddGdprKeyStore()", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ForgetfulContext), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseEfCoreKeyStore_WithoutDbContextFactory_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddDbContext<KeyStoreAppContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey).UseInMemoryStores().UseEfCoreKeyStore<KeyStoreAppContext>();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISubjectKeyStore>());

        Assert.Contains("AddDbContextFactory<KeyStoreAppContext>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseEfCoreKeyStore_NonPositiveReconnectDelay_FailsNamingTheSetting()
    {
        await using var services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory, keyStore: o => o.ListenerReconnectDelay = TimeSpan.Zero);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<ISubjectKeyStore>());

        Assert.Contains("ListenerReconnectDelay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseEfCoreKeyStore_NegativePurgeWaitLimit_FailsNamingTheSetting()
    {
        await using var services = TestHosts.Build(_database.Configure, _database.KeyRingDirectory, keyStore: o => o.PurgeWaitLimit = TimeSpan.FromSeconds(-1));

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<ISubjectKeyStore>());

        Assert.Contains("PurgeWaitLimit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encrypt_KeyStoreUnreachable_FailsClosedWithKeyUnavailable()
    {
        // A database file in a folder that does not exist cannot be opened: no key, so no value is written.
        var missing = Path.Combine(_database.Directory, "no-such-folder", "keys.db");
        await using var services = TestHosts.Build(o => o.UseSqlite($"Data Source={missing}"), _database.KeyRingDirectory);

        await Assert.ThrowsAsync<KeyUnavailableException>(async () =>
            await services.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(new FieldAddress(TestHosts.NewSubjectId(), Scope, "Customer.Email"), "x@example.org"));
    }

    protected override Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        var path = Path.Combine(_database.Directory, "shop.db");
        return Task.FromResult<Action<DbContextOptionsBuilder>>(o => o.UseSqlite($"Data Source={path}"));
    }

    public void Dispose() => _database.Dispose();
}

public sealed class PostgresApplicationContextKeyStoreTests(PostgresKeyStoreDatabase database)
    : ApplicationContextKeyStoreTests, IClassFixture<PostgresKeyStoreDatabase>
{
    protected override string KeyRingDirectory => database.KeyRingDirectory;

    [SkippableFact]
    public async Task Encrypt_KeyStoreUnreachable_FailsClosedWithKeyUnavailable()
    {
        _ = database.ConnectionString; // skips when PostgreSQL is not configured

        // Nothing listens on port 1 of 127.0.0.1: the store cannot be reached, so nothing is encrypted.
        await using var services = TestHosts.Build(
            o => o.UseNpgsql("Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none;Timeout=2"), database.KeyRingDirectory);

        await Assert.ThrowsAsync<KeyUnavailableException>(async () =>
            await services.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(new FieldAddress(TestHosts.NewSubjectId(), Scope, "Customer.Email"), "x@example.org"));
    }

    [SkippableFact]
    public async Task KeyStore_InASchemaOfItsOwn_ShredsAndPurges()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContextFactory<SchemaAppContext>((sp, o) => o.UseNpgsql(connectionString).UseGdpr(sp));
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey).UseInMemoryStores().UseEfCorePostgreSql().UseLocalKeyRing(KeyRingDirectory).UseEfCoreKeyStore<SchemaAppContext>();
        await using var provider = services.BuildServiceProvider();
        using (var db = provider.GetRequiredService<IDbContextFactory<SchemaAppContext>>().CreateDbContext())
        {
            await db.Database.EnsureCreatedAsync();
        }

        var field = new FieldAddress(TestHosts.NewSubjectId(), Scope, "Customer.Email");
        var encryptor = provider.GetRequiredService<IFieldEncryptor>();
        var envelope = await encryptor.EncryptValueAsync(field, "x@example.org");
        await provider.GetRequiredService<ISubjectKeyManager>().ShredAsync(field.SubjectId, Scope);
        Assert.True(await provider.GetRequiredService<EfCoreKeyStorePurger>().PurgeDeletedKeysAsync(full: true));

        Assert.True((await encryptor.DecryptValueAsync<string>(field, envelope)).IsErased);
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM gdpr_keys.gdpr_key_tombstones", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    protected override async Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        return o => o.UseNpgsql(connectionString);
    }
}
