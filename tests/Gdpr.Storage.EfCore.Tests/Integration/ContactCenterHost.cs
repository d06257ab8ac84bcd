using Gdpr.Export;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Erasure;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Retention;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>Builds the whole SDK on <see cref="ContactCenterContext"/> the way an application does.</summary>
internal static class ContactCenterHost
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    public const string TaxBasis = "Dutch AWR art. 52 (7-year fiscal retention)";

    public static ServiceProvider Build(
        Action<DbContextOptionsBuilder> database,
        string keyRingDirectory,
        FakeTimeProvider time,
        byte[]? pseudonymKey = null,
        Action<EfCoreKeyStoreOptions>? keyStore = null,
        Action<IServiceCollection>? configureServices = null,
        Action<IGdprBuilder>? configureGdpr = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);

        // One registration serves both: the application's contexts (through the adapter) and the short-lived
        // contexts the key store, audit trail, schedule and holds create for themselves from the factory.
        services.AddDbContextFactory<ContactCenterContext>((sp, o) =>
        {
            database(o);
            o.UseGdpr(sp);

            // Every test builds its own application services, hence its own EF internal provider.
            o.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        });
        var gdpr = services.AddGdpr(o => o.PseudonymKey = pseudonymKey ?? TestHosts.PseudonymKey).UseInMemoryStores(); // the same in every "process" of the deployment
        gdpr
            .AddRetentionPolicy(new RetentionPolicy { Name = "marketing", Years = 2 })
            .AddRetentionPolicy(new RetentionPolicy { Name = "chat", Months = 6, DeleteRowsOnErasure = true })
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = TaxBasis })
            .UseLocalKeyRing(keyRingDirectory)
            .UseEfCoreKeyStore<ContactCenterContext>(keyStore)
            .UseEfCorePostgreSql()
            .UseEfCoreAuditTrail<ContactCenterContext>()
            .UseEfCoreRetentionSchedule<ContactCenterContext>()
            .UseEfCoreLegalHolds<ContactCenterContext>()
            .AddEfCoreDataSource<ContactCenterContext>()
            .ConfigureExport(o =>
            {
                o.Controller.Name = "Example Contact Center B.V.";
                o.Controller.Contact = "privacy@example.org, Postbus 1, 1000 AA Amsterdam";
                o.SupervisoryAuthority.Name = "Autoriteit Persoonsgegevens";
                o.Purposes["support"] = "Answering your questions and complaints";
                o.Purposes["quality"] = "Training our agents";
            });
        configureGdpr?.Invoke(gdpr);
        configureServices?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public static async Task CreateTablesAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<ContactCenterContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    public static async Task<T> WithContextAsync<T>(this IServiceProvider services, Func<ContactCenterContext, Task<T>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ContactCenterContext>());
    }

    public static Task WithContextAsync(this IServiceProvider services, Func<ContactCenterContext, Task> action)
        => services.WithContextAsync(async c => { await action(c); return 0; });
}

/// <summary>A real SQLite database FILE in a temp dir of its own, with a local key ring beside it.</summary>
internal sealed class SqliteContactCenterDatabase : IDisposable
{
    private readonly SqliteTempFolder _folder = new("gdpr-integration-");

    /// <param name="journalMode">Set before the tables are made (EF sets WAL only on a file it creates itself).</param>
    public SqliteContactCenterDatabase(string journalMode = "wal")
    {
        FilePath = _folder.PathOf("contactcenter.db");
        KeyRingDirectory = _folder.PathOf("keyring");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        SqliteTempFolder.SetJournalMode(ConnectionString, journalMode);
    }

    public string FilePath { get; }

    public string KeyRingDirectory { get; }

    public string ConnectionString { get; }

    /// <summary>The database file and whichever of its -wal, -shm and -journal companions exist.</summary>
    public IEnumerable<string> Files => new[] { FilePath, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" }.Where(File.Exists);

    public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    /// <summary>Reads every database file raw, shared, while the application still has it open.</summary>
    public List<(string File, byte[] Bytes)> ReadFiles()
    {
        var result = new List<(string, byte[])>();
        foreach (var file in Files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            result.Add((Path.GetFileName(file), bytes));
        }

        return result;
    }

    public void Dispose() => _folder.Dispose();
}
