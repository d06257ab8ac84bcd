using Gdpr.Audit;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Erasure;
using Gdpr.Storage.EfCore.Retention;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Erasure;

/// <summary>An application DbContext that holds the SDK's audit and retention tables next to its own.</summary>
public sealed class ErasureTestDbContext(DbContextOptions<ErasureTestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.AddGdprAuditTrail().AddGdprRetentionSchedule().AddGdprLegalHolds().AddGdprDataSubjectRequests();
}

/// <summary>A real SQLite database file in a temp folder, and providers (one per simulated process) over it.</summary>
internal sealed class SqliteErasureDatabase : IDisposable
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    public const string TaxBasis = "Dutch AWR art. 52 (7-year fiscal retention)";

    private readonly SqliteTempFolder _folder = new("gdpr-erasure-ef-");

    public string Path => _folder.PathOf("app.db");

    public string ConnectionString => $"Data Source={Path}";

    public ServiceProvider CreateProvider(FakeTimeProvider time, int batchSize = 1_000)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddDbContextFactory<ErasureTestDbContext>((sp, o) => o.UseSqlite(ConnectionString).UseGdpr(sp));
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores()
            .AddRetentionPolicy(new RetentionPolicy { Name = "marketing", Years = 2 })
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = TaxBasis })
            .AddRetentionSweeper(o => o.BatchSize = batchSize)
            .UseEfCoreAuditTrail<ErasureTestDbContext>()
            .UseEfCoreRetentionSchedule<ErasureTestDbContext>()
            .UseEfCoreLegalHolds<ErasureTestDbContext>()
            .UseEfCoreDataSubjectRequests<ErasureTestDbContext>();
        var provider = services.BuildServiceProvider();
        using var db = provider.GetRequiredService<IDbContextFactory<ErasureTestDbContext>>().CreateDbContext();
        db.Database.EnsureCreated();
        return provider;
    }

    public int Execute(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public void Dispose() => _folder.Dispose();
}

internal static class ProviderExtensions
{
    public static async Task<byte[]> WriteAsync(this IServiceProvider services, string subjectId, string scope, string value)
        => await services.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(new FieldAddress(subjectId, scope, "Customer.Value"), value);

    public static async Task<bool> IsReadableAsync(this IServiceProvider services, string subjectId, string scope, byte[] envelope)
        => !(await services.GetRequiredService<IFieldEncryptor>().DecryptValueAsync<string>(new FieldAddress(subjectId, scope, "Customer.Value"), envelope)).IsErased;

    public static IErasureService Erasure(this IServiceProvider services) => services.GetRequiredService<IErasureService>();

    public static IRetentionSweeper Sweeper(this IServiceProvider services) => services.GetRequiredService<IRetentionSweeper>();

    public static IAuditTrail Audit(this IServiceProvider services) => services.GetRequiredService<IAuditTrail>();
}
