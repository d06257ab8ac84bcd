using System.Text;
using Gdpr.Classification;
using Gdpr.Erasure;
using Gdpr.Retention;
using Gdpr.Search;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Search;

public sealed class Caller
{
    public int Id { get; set; }

    [DataSubjectId] public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Phone)]
    [BlindIndex("phone", Normalization = BlindIndexNormalization.PhoneNumber)]
    public string? Phone { get; set; }

    // A tiny planned table: one bit, so about half the rows share each index value and every lookup meets false candidates.
    [PersonalData(PersonalDataCategories.Email)]
    [BlindIndex("email", Normalization = BlindIndexNormalization.Email, ExpectedRows = 4)]
    public string? Email { get; set; }

    [PersonalData(PersonalDataCategories.Email)]
    [BlindIndex("work_email", Normalization = BlindIndexNormalization.Email)]
    public string? WorkEmail { get; set; }

    [PersonalData(PersonalDataCategories.PostalAddress)]
    [BlindIndex("postcode_house", Order = 0, Normalization = BlindIndexNormalization.CaseInsensitiveText)]
    public string? Postcode { get; set; }

    [PersonalData(PersonalDataCategories.PostalAddress)]
    [BlindIndex("postcode_house", Order = 1, Normalization = BlindIndexNormalization.CaseInsensitiveText)]
    public string? HouseNumber { get; set; }

    // Kept for the tax authority after an erasure (a legal obligation): its own index is kept with it, by design.
    [PersonalData(PersonalDataCategories.Name, RetentionPolicy = "tax", Erasure = ErasureAction.RetainUntilExpiry)]
    [BlindIndex("invoice_name", Normalization = BlindIndexNormalization.CaseInsensitiveText)]
    public string? InvoiceName { get; set; }

    public bool Active { get; set; } = true;
}

public sealed class SearchContext(DbContextOptions<SearchContext> options) : DbContext(options)
{
    public DbSet<Caller> Callers => Set<Caller>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Caller>().HasIndex(c => c.CustomerNumber);
        modelBuilder.AddGdprTables();
    }
}

/// <summary>Blind indexes on a real database: SQLite (a file) and PostgreSQL (a schema per test).</summary>
public abstract class BlindIndexOnDatabaseTests : IAsyncLifetime, IDisposable
{
    private readonly SqliteTempFolder _folder = new("gdpr-bidx-");
    private ServiceProvider _services = null!;

    private protected SqliteTempFolder Folder => _folder;

    protected abstract bool Available { get; }

    protected abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>The bytes the database keeps for the callers' table on disk (a file and its WAL; a heap file).</summary>
    protected abstract Task<byte[]> ReadStoredBytesAsync();

    protected virtual Task PrepareAsync() => Task.CompletedTask;

    public virtual async Task InitializeAsync()
    {
        if (!Available)
        {
            return;
        }

        await PrepareAsync();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero)));
        services.AddGdpr(o => o.PseudonymKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray())
            .UseLocalKeyRing(_folder.PathOf("keyring"))
            .UseCertificateSigningKey(_folder.PathOf("signing"))
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "Dutch AWR art. 52 (7-year fiscal retention)" })
            .UseEfCorePostgreSql()
            .AddEfCoreContext<SearchContext>((_, o) =>
            {
                Configure(o);
                o.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
            })
            .UseEfCoreStores<SearchContext>();
        _services = services.BuildServiceProvider();
        await using var db = await NewContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
    }

    // After DisposeAsync (xunit's order), once the services hold no file open.
    public void Dispose() => _folder.Dispose();

    private async Task<SearchContext> NewContextAsync()
        => await _services.GetRequiredService<IDbContextFactory<SearchContext>>().CreateDbContextAsync();

    private async Task SeedAsync(params Caller[] callers)
    {
        await using var db = await NewContextAsync();
        db.Callers.AddRange(callers);
        await db.SaveChangesAsync();
    }

    [SkippableFact]
    public async Task OnePhoneInThreeNotations_FindsTheOneCustomer()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(
            new Caller { CustomerNumber = "c-1", Phone = "020 123 4567" },
            new Caller { CustomerNumber = "c-2", Phone = "06 12345678" });

        foreach (var written in new[] { "+31 20 123 45 67", "0031201234567", "020-1234567" })
        {
            await using var db = await NewContextAsync();
            var filter = await db.CreateBlindIndexFilterAsync<Caller>(c => c.Phone, written);
            var found = await db.Callers.AsNoTracking().ToListMatchingAsync(filter);
            Assert.Equal(["c-1"], found.Select(c => c.CustomerNumber));
        }
    }

    [SkippableFact]
    public async Task FalseCandidates_AreRemoved_AndTheIndexComposesWithWhere()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        // One bit of index: the SQL filter lets about half the table through; only exact matches come back.
        var callers = Enumerable.Range(0, 40).Select(i => new Caller { CustomerNumber = $"c-{i}", Email = $"person{i}@example.nl", Active = i % 2 == 0 }).ToArray();
        await SeedAsync(callers);

        await using var db = await NewContextAsync();
        var filter = await db.CreateBlindIndexFilterAsync<Caller>(c => c.Email, "  PERSON6@example.NL ");
        var candidates = await db.Callers.AsNoTracking().WhereBlindIndex(filter).CountAsync();
        Assert.InRange(candidates, 2, 39); // the bucket, not the whole table, and not only the match

        Assert.Equal(["c-6"], (await db.Callers.AsNoTracking().ToListMatchingAsync(filter)).Select(c => c.CustomerNumber));
        Assert.Empty(await db.Callers.AsNoTracking().Where(c => !c.Active).ToListMatchingAsync(filter)); // c-6 is active
    }

    [SkippableFact]
    public async Task ACompoundPostcodeAndHouseNumber_FindsTheAddress()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(
            new Caller { CustomerNumber = "c-1", Postcode = "1234 AB", HouseNumber = "12" },
            new Caller { CustomerNumber = "c-2", Postcode = "1234 AB", HouseNumber = "14" },
            new Caller { CustomerNumber = "c-3", Postcode = "1234 AB" });

        await using var db = await NewContextAsync();
        var filter = await db.CreateBlindIndexFilterAsync<Caller>("postcode_house", [" 1234ab ".Replace("ab", " AB", StringComparison.Ordinal), "12"]);
        Assert.Equal(["c-1"], (await db.Callers.AsNoTracking().ToListMatchingAsync(filter)).Select(c => c.CustomerNumber));
    }

    [SkippableFact]
    public async Task EqualValuesInTwoMembers_HaveUnrelatedIndexValues_AndTheFileHoldsNoPlaintext()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(new Caller { CustomerNumber = "c-1", Email = "anne@example.nl", WorkEmail = "anne@example.nl", Phone = "020 123 4567" });

        await using (var db = await NewContextAsync())
        {
            var row = await db.Callers.AsNoTracking().Select(c => new { Email = EF.Property<long?>(c, "email$bidx"), Work = EF.Property<long?>(c, "work_email$bidx") }).SingleAsync();
            Assert.NotNull(row.Email);
            Assert.NotNull(row.Work);
            Assert.NotEqual(row.Email & 0xFFFF_FFFFL, row.Work & 0xFFFF_FFFFL);
            Assert.Equal(1, row.Email >> 32); // epoch 1
        }

        var raw = await ReadStoredBytesAsync();
        foreach (var plaintext in new[] { "anne@example.nl", "+31201234567", "020 123 4567" })
        {
            Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plaintext)));
        }
    }

    [SkippableFact]
    public async Task UnderANewEpoch_OldRowsAreStillFound_AndNewWritesUseIt()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(new Caller { CustomerNumber = "c-1", Phone = "020 123 4567" });
        var ring = _services.GetRequiredService<BlindIndexKeyRing>();
        Assert.Equal(2, await ring.StartEpochAsync(CancellationToken.None));
        await SeedAsync(new Caller { CustomerNumber = "c-2", Phone = "020 123 4567" });

        await using var db = await NewContextAsync();
        var epochs = await db.Callers.AsNoTracking().OrderBy(c => c.Id).Select(c => EF.Property<long?>(c, "phone$bidx") >> 32).ToListAsync();
        Assert.Equal([1L, 2L], epochs);
        var filter = await db.CreateBlindIndexFilterAsync<Caller>(c => c.Phone, "+31201234567");
        Assert.Equal(["c-1", "c-2"], (await db.Callers.AsNoTracking().OrderBy(c => c.Id).ToListMatchingAsync(filter)).Select(c => c.CustomerNumber));
    }

    [SkippableFact]
    public async Task AfterAnErasure_TheSubjectsIndexValuesAreGone_ExceptTheRetainedScopesOwn()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        // Art. 17(1): the erased subject's rows no longer share index values with anything; Art. 17(3)(b): the
        // invoice name kept for the tax authority stays readable, and its own index with it.
        await SeedAsync(
            new Caller { CustomerNumber = "c-1", Phone = "020 123 4567", Email = "anne@example.nl", InvoiceName = "A. de Vries" },
            new Caller { CustomerNumber = "c-1", Phone = "020 123 4567", Postcode = "1234 AB", HouseNumber = "12" },
            new Caller { CustomerNumber = "c-2", Phone = "020 123 4567" });

        var result = await _services.GetRequiredService<IErasureService>().EraseAsync("c-1");
        Assert.True(result.IsComplete);

        await using var db = await NewContextAsync();
        var rows = await db.Callers.AsNoTracking().Where(c => c.CustomerNumber == "c-1").Select(c => new
        {
            Phone = EF.Property<long?>(c, "phone$bidx"),
            Email = EF.Property<long?>(c, "email$bidx"),
            Address = EF.Property<long?>(c, "postcode_house$bidx"),
            Invoice = EF.Property<long?>(c, "invoice_name$bidx"),
        }).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Null(r.Phone));
        Assert.All(rows, r => Assert.Null(r.Email));
        Assert.All(rows, r => Assert.Null(r.Address));
        Assert.Single(rows, r => r.Invoice is not null);

        var byPhone = await db.CreateBlindIndexFilterAsync<Caller>(c => c.Phone, "020 123 4567");
        Assert.Equal(["c-2"], (await db.Callers.AsNoTracking().ToListMatchingAsync(byPhone)).Select(c => c.CustomerNumber));
        var byInvoice = await db.CreateBlindIndexFilterAsync<Caller>(c => c.InvoiceName, "a. de vries");
        Assert.Equal(["c-1"], (await db.Callers.AsNoTracking().ToListMatchingAsync(byInvoice)).Select(c => c.CustomerNumber));
    }

    [SkippableFact]
    public async Task Reindexing_MovesEveryRowToTheNewestEpoch_ThenTheOldEpochCanGo_AndLookupsStillFindThem()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(
            new Caller { CustomerNumber = "c-1", Phone = "020 123 4567", Email = "anne@example.nl" },
            new Caller { CustomerNumber = "c-2", Phone = "06 12345678" },
            new Caller { CustomerNumber = "c-3" });
        var epochs = _services.GetRequiredService<IBlindIndexEpochs>();
        await epochs.StartEpochAsync();
        var reindexer = _services.GetRequiredService<BlindIndexReindexer<SearchContext>>();
        reindexer.BatchSize = 1; // one row per batch: the keyset paging over rows that leave the filter as they go

        Assert.Equal(2, await reindexer.ReindexAsync()); // c-3 has no index value to move
        Assert.Equal(0, await reindexer.ReindexAsync()); // a second run finds nothing left

        await using (var db = await NewContextAsync())
        {
            var stored = await db.Callers.AsNoTracking().OrderBy(c => c.Id).Select(c => EF.Property<long?>(c, "phone$bidx") >> 32).ToListAsync();
            Assert.Equal([2L, 2L, null], stored);
        }

        Assert.True(await epochs.DestroyEpochAsync(1));
        Assert.Equal([2], await epochs.GetLiveEpochsAsync());
        await using var after = await NewContextAsync();
        var byPhone = await after.CreateBlindIndexFilterAsync<Caller>(c => c.Phone, "+31 20 123 45 67");
        Assert.Equal(["c-1"], (await after.Callers.AsNoTracking().ToListMatchingAsync(byPhone)).Select(c => c.CustomerNumber));
        var byEmail = await after.CreateBlindIndexFilterAsync<Caller>(c => c.Email, "ANNE@example.nl");
        Assert.Equal(["c-1"], (await after.Callers.AsNoTracking().ToListMatchingAsync(byEmail)).Select(c => c.CustomerNumber));
    }

    [SkippableFact]
    public async Task AnInputWithNoIndexValue_FindsNothing()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await SeedAsync(new Caller { CustomerNumber = "c-1", Phone = "020 123 4567" }, new Caller { CustomerNumber = "c-2" });

        await using var db = await NewContextAsync();
        var filter = await db.CreateBlindIndexFilterAsync<Caller>(c => c.Phone, "not a phone number");
        Assert.Empty(await db.Callers.AsNoTracking().ToListMatchingAsync(filter));
    }

    [SkippableFact]
    public async Task ALookupByAMemberWithoutAnIndex_IsATypedErrorNamingIt()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await using var db = await NewContextAsync();
        var ex = await Assert.ThrowsAsync<PersonalDataModelException>(async () => await db.CreateBlindIndexFilterAsync<Caller>(c => c.CustomerNumber, "c-1"));
        Assert.Contains("CustomerNumber", ex.Message);
        Assert.DoesNotContain("c-1", ex.Message);
    }
}

public sealed class SqliteBlindIndexTests : BlindIndexOnDatabaseTests
{
    protected override bool Available => true;

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Folder.PathOf("search.db"), Pooling = false }.ToString();

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    protected override Task<byte[]> ReadStoredBytesAsync()
    {
        SqliteConnection.ClearAllPools();
        var wal = Folder.PathOf("search.db-wal");
        return Task.FromResult(File.ReadAllBytes(Folder.PathOf("search.db")).Concat(File.Exists(wal) ? File.ReadAllBytes(wal) : []).ToArray());
    }
}

#pragma warning disable CA1001 // the base class disposes what it owns; the schema goes in DisposeAsync
public sealed class PostgresBlindIndexTests : BlindIndexOnDatabaseTests
{
    private readonly string? _admin = PostgresServer.AdminConnectionString();
    private readonly string _schema = "gdpr_bidx_" + Guid.NewGuid().ToString("N");

    protected override bool Available => _admin is not null;

    private string ConnectionString => new NpgsqlConnectionStringBuilder(_admin) { SearchPath = _schema }.ToString();

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    protected override Task PrepareAsync() => ExecuteAsync($"CREATE SCHEMA \"{_schema}\"");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_admin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP SCHEMA \"{_schema}\" CASCADE");
        }
    }

    protected override async Task<byte[]> ReadStoredBytesAsync()
    {
        // Superuser only (the CI cluster's user is one): flush to disk, then read the table's heap file raw.
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            await checkpoint.ExecuteNonQueryAsync();
        }

        await using var read = new NpgsqlCommand("SELECT pg_read_binary_file(pg_relation_filepath('\"Callers\"'))", connection);
        return (byte[])(await read.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
#pragma warning restore CA1001
