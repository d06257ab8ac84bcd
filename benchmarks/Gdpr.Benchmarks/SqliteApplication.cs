using Gdpr.Classification;
using Gdpr.Export;
using Gdpr.Retention;
using Gdpr.Storage.EfCore;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Erasure;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Retention;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>A chat message with four annotated members, all in the "marketing" scope (DestroyKey, rows kept).</summary>
internal sealed class ChatLine
{
    public long Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.ChatTranscript, RetentionPolicy = "marketing")]
    public string Body { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Email, RetentionPolicy = "marketing")]
    public string Email { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Transaction, RetentionPolicy = "marketing")]
    public decimal Amount { get; set; }

    [PersonalData(PersonalDataCategories.ChatTranscript, RetentionPolicy = "marketing")]
    public DateTimeOffset SentAt { get; set; }
}

/// <summary>The application's one DbContext: its rows, and the SDK's key store, audit trail, schedule and holds.</summary>
internal sealed class SqliteApplicationContext(DbContextOptions<SqliteApplicationContext> options) : DbContext(options)
{
    public DbSet<ChatLine> Lines => Set<ChatLine>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ChatLine>().HasIndex(l => l.CustomerNumber);
        modelBuilder.AddGdprKeyStore();
        modelBuilder.AddGdprAuditTrail().AddGdprRetentionSchedule().AddGdprLegalHolds();
    }
}

/// <summary>
/// The whole SDK on one SQLite file the way an application sets it up: the EF adapter (<c>UseGdpr</c>) and its data
/// source, the EF key store in the same context, the EF audit trail, retention schedule and legal holds.
/// </summary>
internal sealed class SqliteApplication : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gdpr-bench-app-");

    public SqliteApplication()
    {
        var connectionString = $"Data Source={Path.Combine(_directory.FullName, "app.db")}";
        var services = new ServiceCollection();
        services.AddDbContextFactory<SqliteApplicationContext>((sp, o) => o.UseSqlite(connectionString).AddInterceptors(SynchronousNormal.Instance).UseGdpr(sp));
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores()
            .AddRetentionPolicy(new RetentionPolicy { Name = "marketing", Years = 2 })
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "AWR art. 52" })
            .UseLocalKeyRing(Path.Combine(_directory.FullName, "keyring"))
            .UseEfCoreKeyStore<SqliteApplicationContext>()
            .UseEfCoreAuditTrail<SqliteApplicationContext>()
            .UseEfCoreRetentionSchedule<SqliteApplicationContext>()
            .UseEfCoreLegalHolds<SqliteApplicationContext>()
            .AddEfCoreDataSource<SqliteApplicationContext>()
            .ConfigureExport(o =>
            {
                o.Controller.Name = "Example Contact Center B.V.";
                o.Controller.Contact = "privacy@example.org";
            });
        Services = services.BuildServiceProvider();
        using var db = Services.GetRequiredService<IDbContextFactory<SqliteApplicationContext>>().CreateDbContext();
        db.Database.EnsureCreated(); // a file EF creates is set to WAL
    }

    public ServiceProvider Services { get; }

    /// <summary>Inserts <paramref name="rows"/> rows of one subject through the adapter (encrypted, keys created).</summary>
    public void InsertLines(string subjectId, int rows)
    {
        var sentAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        for (var done = 0; done < rows;)
        {
            using var scope = Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SqliteApplicationContext>();
            var chunk = Math.Min(5_000, rows - done);
            for (var i = 0; i < chunk; i++, done++)
            {
                db.Lines.Add(new ChatLine
                {
                    CustomerNumber = subjectId,
                    Body = "Hello, I would like to change my delivery address please.",
                    Email = "customer@example.org",
                    Amount = 1234.56m + done,
                    SentAt = sentAt.AddMinutes(done),
                });
            }

            db.SaveChanges();
        }
    }

    public void Dispose()
    {
        Services.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
