using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Gdpr.Classification;
using Gdpr.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// 10,000 annotated rows inserted with one SaveChanges and read back (no tracking) on a SQLite file, with the
/// adapter and without it (the baseline, plaintext columns), in the same run. Every insert iteration writes
/// rows of subjects never seen before, so key creation is part of the measured time.
/// </summary>
/// <remarks>
/// Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*EfCoreBenchmarks*'
/// <para>
/// 80 warmup iterations: the runtime promotes the query and save paths to optimized code in waves, each after a
/// quiet period, so the first two to three seconds of a process are slower (by up to 2x for the adapter's read and
/// 1.5x for the plain read). An application runs for hours; the steady state is what is compared.
/// </para>
/// <para>
/// <see cref="Read_Envelopes"/> reads the adapter's table with a context that maps its personal-data column as a
/// plain BLOB: the same rows and bytes, no decryption. It splits the adapter's read cost into "bringing the
/// records (70 bytes of nonce and tag per row and scope)" and "decrypting".
/// </para>
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 80, iterationCount: 30)]
public class EfCoreBenchmarks
{
    private const int Rows = 10_000;

    // A read takes ~15 ms; eight per iteration spread the garbage collections (which otherwise land in some
    // iterations and not others, giving the plaintext read a two-peaked distribution) evenly over the iterations.
    private const int ReadsPerInvocation = 8;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-bench-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;
    private DbContextOptions<PlainContext> _plain = null!;
    private DbContextOptions<GdprContext> _gdpr = null!;
    private DbContextOptions<PlainContext> _plainRead = null!;
    private DbContextOptions<GdprContext> _gdprRead = null!;
    private DbContextOptions<EnvelopeContext> _envelopeRead = null!;
    private int _iteration;

    /// <summary>Gets or sets how many distinct data subjects the 10,000 rows belong to.</summary>
    [Params(1_000, 10_000)]
    public int Subjects { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores();
        _services = services.BuildServiceProvider();

        _plain = Options<PlainContext>("insert-plain.db", gdpr: false);
        _gdpr = Options<GdprContext>("insert-gdpr.db", gdpr: true);
        _plainRead = Options<PlainContext>("read-plain.db", gdpr: false);
        _gdprRead = Options<GdprContext>("read-gdpr.db", gdpr: true);
        _envelopeRead = Options<EnvelopeContext>("read-gdpr.db", gdpr: false);
        foreach (DbContext context in new DbContext[] { new PlainContext(_plain), new GdprContext(_gdpr), new PlainContext(_plainRead), new GdprContext(_gdprRead) })
        {
            using (context)
            {
                context.Database.EnsureCreated();
                context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            }
        }

        using (var plain = new PlainContext(_plainRead))
        {
            plain.AddRange(NewRows("read"));
            plain.SaveChanges();
        }

        using var gdpr = new GdprContext(_gdprRead);
        gdpr.AddRange(NewRows("read"));
        gdpr.SaveChanges();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Targets = [nameof(Insert_Plain), nameof(Insert_Gdpr)])]
    public void EmptyInsertTables()
    {
        _iteration++;
        using var plain = new PlainContext(_plain);
        plain.Database.ExecuteSqlRaw("DELETE FROM \"Contacts\"");
        using var gdpr = new GdprContext(_gdpr);
        gdpr.Database.ExecuteSqlRaw("DELETE FROM \"Contacts\"");
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Insert")]
    public async Task Insert_Plain()
    {
        await using var context = new PlainContext(_plain);
        context.AddRange(NewRows("i" + _iteration));
        await context.SaveChangesAsync();
    }

    [Benchmark]
    [BenchmarkCategory("Insert")]
    public async Task Insert_Gdpr()
    {
        await using var context = new GdprContext(_gdpr);
        context.AddRange(NewRows("i" + _iteration));
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
            await using var context = new GdprContext(_gdprRead);
            count += (await context.Contacts.AsNoTracking().ToListAsync()).Count;
        }

        return count;
    }

    private List<Contact> NewRows(string batch)
    {
        var rows = new List<Contact>(Rows);
        for (var i = 0; i < Rows; i++)
        {
            rows.Add(new Contact
            {
                CustomerNumber = $"{batch}-C{i % Subjects:D5}",
                Email = $"customer{i}@example.org",
                Name = $"Customer Number {i}",
                Phone = $"+31 6 {i:D8}",
                BirthDate = new DateOnly(1980, 1, 1).AddDays(i % 9000),
                Country = "NL",
            });
        }

        return rows;
    }

    private DbContextOptions<TContext> Options<TContext>(string file, bool gdpr)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>().UseSqlite("Data Source=" + Path.Combine(_directory, file));
        if (gdpr)
        {
            builder.UseGdpr(_services);
        }

        return builder.Options;
    }

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

    public sealed class GdprContext(DbContextOptions<GdprContext> options) : DbContext(options)
    {
        public DbSet<Contact> Contacts => Set<Contact>();
    }

    public sealed class EnvelopeContext(DbContextOptions<EnvelopeContext> options) : DbContext(options)
    {
        public DbSet<ContactEnvelopes> Contacts => Set<ContactEnvelopes>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<ContactEnvelopes>(e =>
            {
                e.ToTable("Contacts");
                e.Property(c => c.PersonalData).HasColumnName("PersonalData$gdpr");
            });
    }
}
