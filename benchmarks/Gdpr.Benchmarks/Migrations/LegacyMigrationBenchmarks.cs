using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Gdpr.Classification;
using Gdpr.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks.Migrations;

/// <summary>
/// The encryption pass of docs/migrations.md (step 2) over 100,000 legacy customers with four plaintext personal
/// members, on a SQLite file in WAL mode with the production set-up: the EF key store in the same file, every
/// customer a subject never seen before (one new key each, created, wrapped and stored in the measured time), a fresh
/// key cache per iteration. Times are per row (<c>OperationsPerInvoke</c>), so rows per second are 10^9 / ns.
/// </summary>
/// <remarks>
/// Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*LegacyMigrationBenchmarks*'
/// <para>
/// The baseline is the same pass without the SDK: the same keyset batches of 500 in one serializable transaction
/// each, reading the rows that hold plaintext and emptying their four columns, with plain EF. The difference is what
/// encryption and the keys cost. Each iteration starts from a copy of one prepared file (the adopting migration
/// applied, no key yet).
/// </para>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class LegacyMigrationBenchmarks
{
    private const int Customers = 100_000;
    private const int BatchSize = 500;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-bench-legacy-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _services;

    private string Template => Path.Combine(_directory, "template.db");

    private string Work => Path.Combine(_directory, "work.db");

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        using (var legacy = new LegacyContext(Options<LegacyContext>(Template)))
        {
            legacy.Database.EnsureCreated();
            for (var start = 1; start <= Customers; start += 10_000)
            {
                legacy.Customers.AddRange(Enumerable.Range(start, 10_000).Select(NewLegacyCustomer));
                legacy.SaveChanges();
                legacy.ChangeTracker.Clear();
            }
        }

        // The adopting migration (step 1), as dotnet ef scaffolds and applies it.
        using var before = new LegacyContext(Options<LegacyContext>(Template));
        using var adopted = new AdoptedContext(new DbContextOptionsBuilder<AdoptedContext>().UseSqlite("Data Source=" + Template).UseGdprForDesignTime().Options);
        var model = adopted.GetService<IDesignTimeModel>().Model;
        var operations = adopted.GetService<IMigrationsModelDiffer>().GetDifferences(before.GetService<IDesignTimeModel>().Model.GetRelationalModel(), model.GetRelationalModel());
        adopted.GetService<IMigrationCommandExecutor>().ExecuteNonQuery(adopted.GetService<IMigrationsSqlGenerator>().Generate(operations, model), adopted.GetService<IRelationalConnection>());
        SqliteConnection.ClearAllPools();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup]
    public void CopyTemplate()
    {
        _services?.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Work + suffix);
        }

        File.Copy(Template, Work);
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32))
            .UseLocalKeyRing(Path.Combine(_directory, "keyring"))
            .UseCertificateSigningKey(Path.Combine(_directory, "signing"))
            .AddEfCoreContext<AdoptedContext>((_, o) => o.UseSqlite("Data Source=" + Work))
            .UseEfCoreStores<AdoptedContext>();
        _services = services.BuildServiceProvider();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Customers)]
    public async Task<int> PlainPass()
    {
        var done = 0;
        var after = 0;
        while (true)
        {
            await using var context = new LegacyContext(Options<LegacyContext>(Work));
            await using var transaction = await context.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
            var rows = await context.Customers.Where(c => c.Id > after && (c.Name != null || c.Email != null || c.Phone != null || c.BirthDate != null))
                .OrderBy(c => c.Id).Take(BatchSize).ToListAsync();
            foreach (var row in rows)
            {
                (row.Name, row.Email, row.Phone, row.BirthDate) = (null, null, null, null);
            }

            await context.SaveChangesAsync();
            await transaction.CommitAsync();
            done += rows.Count;
            if (rows.Count < BatchSize)
            {
                return done;
            }

            after = rows[^1].Id;
        }
    }

    [Benchmark(OperationsPerInvoke = Customers)]
    public async Task<long> EncryptionPass()
    {
        var migration = _services!.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();
        var result = await migration.EncryptAsync();
        return result.RowsEncrypted == Customers ? result.RowsEncrypted : throw new InvalidOperationException($"{result.RowsEncrypted} rows encrypted, {Customers} expected.");
    }

    private static DbContextOptions<T> Options<T>(string path)
        where T : DbContext
        => new DbContextOptionsBuilder<T>().UseSqlite("Data Source=" + path).Options;

    private static LegacyCustomer NewLegacyCustomer(int id) => new()
    {
        Id = id,
        CustomerNumber = "C-" + id.ToString("D7", System.Globalization.CultureInfo.InvariantCulture),
        Name = "Customer " + id,
        Email = $"customer{id}@example.org",
        Phone = "+31 20 " + (1_000_000 + id),
        BirthDate = new DateOnly(1950, 1, 1).AddDays(id % 20_000),
    };

    internal sealed class LegacyCustomer
    {
        public int Id { get; set; }

        public string CustomerNumber { get; set; } = "";

        public string? Name { get; set; }

        public string? Email { get; set; }

        public string? Phone { get; set; }

        public DateOnly? BirthDate { get; set; }
    }

    internal sealed class Customer
    {
        public int Id { get; set; }

        [DataSubjectId]
        public string CustomerNumber { get; set; } = "";

        [PersonalData(PersonalDataCategories.Name)]
        public string? Name { get; set; }

        [PersonalData(PersonalDataCategories.Email)]
        public string? Email { get; set; }

        [PersonalData(PersonalDataCategories.Phone)]
        public string? Phone { get; set; }

        [PersonalData(PersonalDataCategories.DateOfBirth)]
        public DateOnly? BirthDate { get; set; }
    }

    internal sealed class LegacyContext(DbContextOptions<LegacyContext> options) : DbContext(options)
    {
        public DbSet<LegacyCustomer> Customers => Set<LegacyCustomer>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<LegacyCustomer>().ToTable("Customers").Property(c => c.Id).ValueGeneratedNever();
    }

    internal sealed class AdoptedContext(DbContextOptions<AdoptedContext> options) : DbContext(options)
    {
        public DbSet<Customer> Customers => Set<Customer>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Customer>().ToTable("Customers").HasLegacyPlaintextColumns().Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.AddGdprTables();
        }
    }
}
