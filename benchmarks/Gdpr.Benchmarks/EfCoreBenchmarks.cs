using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Gdpr.Classification;
using Gdpr.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// 10,000 annotated rows inserted with one SaveChanges and read back (no tracking) on a SQLite file in WAL mode, with
/// the adapter set up the way docs/getting-started.md does it (<c>AddEfCoreContext</c>, <c>UseEfCoreStores</c>: the
/// EF key store, audit trail, schedule and holds in the same file, <c>AddGdprTables</c>, the local key ring) and
/// without it (the baseline, plaintext columns in a file of its own), in the same run.
/// </summary>
/// <remarks>
/// Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*EfCoreBenchmarks*'
/// <para>
/// Two inserts with the adapter: <see cref="Insert_Gdpr_NewSubjects"/> writes rows of 10,000 subjects never seen
/// before (one new key per row, created, wrapped and stored in the key table in the measured time), and
/// <see cref="Insert_Gdpr_KnownSubjects"/> rows of 1,000 subjects whose keys exist and are cached. The reads read
/// 10,000 rows of 1,000 subjects, whose keys are cached after the first read (a contact center reads the same
/// customers' conversations again and again; the default cache holds 10,000 keys).
/// </para>
/// <para>
/// 80 warmup iterations: the runtime promotes the query and save paths to optimized code in waves, each after a
/// quiet period, so the first seconds of a process are slower. An application runs for hours; the steady state is
/// what is compared.
/// </para>
/// <para>
/// <see cref="Read_Envelopes"/> reads the adapter's table with a context that maps its personal-data column as a
/// plain BLOB: the same rows and bytes, no decryption. It splits the adapter's read cost into "bringing the
/// records" and "decrypting".
/// </para>
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 80, iterationCount: 30)]
public class EfCoreBenchmarks
{
    private const int Rows = 10_000;
    private const int KnownSubjects = 1_000;

    // A read takes ~15 ms; eight per iteration spread the garbage collections (which otherwise land in some
    // iterations and not others, giving the plaintext read a two-peaked distribution) evenly over the iterations.
    private const int ReadsPerInvocation = 8;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-bench-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;
    private IDbContextFactory<GdprContext> _gdpr = null!;
    private IDbContextFactory<GdprReadContext> _gdprRead = null!;
    private long _lastKnownKeyRow;
    private DbContextOptions<PlainContext> _plain = null!;
    private DbContextOptions<PlainContext> _plainRead = null!;
    private DbContextOptions<EnvelopeContext> _envelopeRead = null!;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        var gdprFile = Path.Combine(_directory, "gdpr.db");
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32))
            .UseLocalKeyRing(Path.Combine(_directory, "keyring"))
            .UseCertificateSigningKey(Path.Combine(_directory, "signing"))
            .AddEfCoreContext<GdprContext>((_, o) => o.UseSqlite("Data Source=" + gdprFile))
            .AddEfCoreContext<GdprReadContext>((_, o) => o.UseSqlite("Data Source=" + gdprFile))
            .UseEfCoreStores<GdprContext>();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _gdpr = _services.GetRequiredService<IDbContextFactory<GdprContext>>();
        _gdprRead = _services.GetRequiredService<IDbContextFactory<GdprReadContext>>();

        _plain = Options<PlainContext>("insert-plain.db");
        _plainRead = Options<PlainContext>("read-plain.db");
        _envelopeRead = Options<EnvelopeContext>("gdpr.db");
        foreach (var context in new DbContext[] { new PlainContext(_plain), _gdpr.CreateDbContext(), new PlainContext(_plainRead) })
        {
            using (context)
            {
                context.Database.EnsureCreated(); // a file EF creates is in WAL mode
            }
        }

        using (var reads = _gdprRead.CreateDbContext())
        {
            // The file exists already (EnsureCreated would do nothing): add this context's table to it.
            reads.GetService<IRelationalDatabaseCreator>().CreateTables();
        }

        using (var plain = new PlainContext(_plainRead))
        {
            plain.AddRange(NewRows("read", KnownSubjects));
            plain.SaveChanges();
        }

        using (var gdpr = _gdprRead.CreateDbContext())
        {
            gdpr.AddRange(NewRows("read", KnownSubjects));
            gdpr.SaveChanges();
        }

        // The known subjects' keys exist in the key table and in the cache before the first measured insert.
        using var known = _gdpr.CreateDbContext();
        known.AddRange(NewRows("known", KnownSubjects));
        known.SaveChanges();
        known.Database.ExecuteSqlRaw("DELETE FROM \"Contacts\"");
        _lastKnownKeyRow = known.Database.SqlQueryRaw<long>("SELECT MAX(rowid) AS \"Value\" FROM gdpr_subject_keys").Single();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Targets = [nameof(Insert_Plain), nameof(Insert_Gdpr_NewSubjects), nameof(Insert_Gdpr_KnownSubjects)])]
    public void EmptyInsertTables()
    {
        _iteration++;
        using var plain = new PlainContext(_plain);
        plain.Database.ExecuteSqlRaw("DELETE FROM \"Contacts\"");

        // The new subjects' keys of earlier iterations go too, so the key table does not grow over the run; the known
        // subjects' keys stay.
        using var gdpr = _gdpr.CreateDbContext();
        gdpr.Database.ExecuteSqlRaw("DELETE FROM \"Contacts\"");
        gdpr.Database.ExecuteSqlRaw("DELETE FROM gdpr_subject_keys WHERE rowid > {0}", _lastKnownKeyRow);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Insert")]
    public async Task Insert_Plain()
    {
        await using var context = new PlainContext(_plain);
        context.AddRange(NewRows("i" + _iteration, Rows));
        await context.SaveChangesAsync();
    }

    [Benchmark]
    [BenchmarkCategory("Insert")]
    public async Task Insert_Gdpr_NewSubjects()
    {
        await using var context = _gdpr.CreateDbContext();
        context.AddRange(NewRows("i" + _iteration, Rows));
        await context.SaveChangesAsync();
    }

    [Benchmark]
    [BenchmarkCategory("Insert")]
    public async Task Insert_Gdpr_KnownSubjects()
    {
        await using var context = _gdpr.CreateDbContext();
        context.AddRange(NewRows("known", KnownSubjects, Rows));
        await context.SaveChangesAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ReadsPerInvocation)]
    [BenchmarkCategory("Read")]
    public async Task<int> Read_Plain()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            await using var context = new PlainContext(_plainRead);
            count += (await context.Contacts.AsNoTracking().ToListAsync()).Count;
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvocation)]
    [BenchmarkCategory("Read")]
    public async Task<int> Read_Envelopes()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            await using var context = new EnvelopeContext(_envelopeRead);
            count += (await context.Contacts.AsNoTracking().ToListAsync()).Count;
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvocation)]
    [BenchmarkCategory("Read")]
    public async Task<int> Read_Gdpr()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            await using var context = _gdprRead.CreateDbContext();
            count += (await context.Contacts.AsNoTracking().ToListAsync()).Count;
        }

        return count;
    }

    /// <summary>Rows of <paramref name="subjects"/> subjects of the batch (each row its own subject when they are as many).</summary>
    private static List<Contact> NewRows(string batch, int subjects, int rows = Rows)
    {
        var list = new List<Contact>(rows);
        for (var i = 0; i < rows; i++)
        {
            list.Add(new Contact
            {
                CustomerNumber = $"{batch}-C{i % subjects:D5}",
                Email = $"customer{i}@example.org",
                Name = $"Customer Number {i}",
                Phone = $"+31 6 {i:D8}",
                BirthDate = new DateOnly(1980, 1, 1).AddDays(i % 9000),
                Country = "NL",
            });
        }

        return list;
    }

    private DbContextOptions<TContext> Options<TContext>(string file)
        where TContext : DbContext
        => new DbContextOptionsBuilder<TContext>().UseSqlite("Data Source=" + Path.Combine(_directory, file)).Options;

    public sealed class Contact
    {
        public int Id { get; set; }

        [DataSubjectId]
        public string CustomerNumber { get; set; } = "";

        [PersonalData(PersonalDataCategories.Email)]
        public string Email { get; set; } = "";

        [PersonalData(PersonalDataCategories.Name)]
        public string Name { get; set; } = "";

        [PersonalData(PersonalDataCategories.Phone)]
        public string Phone { get; set; } = "";

        [PersonalData(PersonalDataCategories.DateOfBirth)]
        public DateOnly BirthDate { get; set; }

        public string Country { get; set; } = "";
    }

    /// <summary>The adapter's table as stored: one personal-data column holds the record of the four members' scope.</summary>
    public sealed class ContactEnvelopes
    {
        public int Id { get; set; }

        public string CustomerNumber { get; set; } = "";

        public byte[]? PersonalData { get; set; }

        public string Country { get; set; } = "";
    }

    public sealed class PlainContext(DbContextOptions<PlainContext> options) : DbContext(options)
    {
        public DbSet<Contact> Contacts => Set<Contact>();
    }

    /// <summary>The application's context: its table and the SDK's tables (key store, audit, schedule, holds).</summary>
    public sealed class GdprContext(DbContextOptions<GdprContext> options) : DbContext(options)
    {
        public DbSet<Contact> Contacts => Set<Contact>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddGdprTables();
    }

    /// <summary>A second context on the same file, whose table holds the rows every read benchmark reads.</summary>
    public sealed class GdprReadContext(DbContextOptions<GdprReadContext> options) : DbContext(options)
    {
        public DbSet<Contact> Contacts => Set<Contact>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Contact>().ToTable("ReadContacts");
    }

    public sealed class EnvelopeContext(DbContextOptions<EnvelopeContext> options) : DbContext(options)
    {
        public DbSet<ContactEnvelopes> Contacts => Set<ContactEnvelopes>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<ContactEnvelopes>(e =>
            {
                e.ToTable("ReadContacts");
                e.Property(c => c.PersonalData).HasColumnName("PersonalData$gdpr");
            });
    }
}
