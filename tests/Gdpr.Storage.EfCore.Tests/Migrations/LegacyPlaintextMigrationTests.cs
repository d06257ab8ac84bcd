using System.Data.Common;
using System.Text;
using Gdpr.Classification;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Migrations;

/// <summary>
/// An existing contact-center database with plaintext customers goes under the SDK without losing a value
/// (Art. 5(1)(d), accuracy; Art. 32(1)(a), encryption): the migration that adopts the SDK drops no column, the pass
/// encrypts every row once (also when stopped half-way and started again), refuses rows without a subject, the
/// verification holds only when nothing is left, and after the clean-up the database's own files hold none of the
/// plaintext.
/// </summary>
#pragma warning disable CA1001 // the folders are disposed in DisposeAsync (IAsyncLifetime)
public abstract class LegacyPlaintextMigrationTests : IAsyncLifetime
{
    private const int Rows = 10_000;
    protected const string EmailDomain = "@legacy-mail.example";
    private const string PhonePrefix = "+31 20 LEGACY ";

    private readonly SqliteTempFolder _keys = new("gdpr-legacy-keys-");
    private ServiceProvider? _services;

    protected abstract bool Available { get; }

    /// <summary>Gets the text of an unreadable old value, which no message may show.</summary>
    protected static string UnreadableMarker => "99999999999999999999999999999999999999999";

    /// <summary>SQL that makes row <paramref name="id"/>'s old Balance a value no decimal can hold.</summary>
    protected abstract string UnreadableBalanceSql(int id);

    /// <summary>Gets or sets what runs once, inside the first batch transaction that saves, before its save.</summary>
    protected Func<Task>? BeforeFirstBatchSave { get; set; }

    /// <summary>Gets or sets how long a PostgreSQL clean-up waits for older transactions.</summary>
    protected TimeSpan PurgeWaitLimit { get; set; } = TimeSpan.FromMinutes(1);

    protected abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>The bytes the database keeps for the customers' table on disk, after the clean-up.</summary>
    protected abstract Task<byte[]> ReadTableFilesAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _keys.Dispose();
    }

    [SkippableFact]
    public async Task AdoptingMigration_AddsThePersonalDataColumn_AndDropsNoColumnOfPlaintext()
    {
        Skip.If(!Available, PostgresServer.HowToRun);

        var operations = await CreateLegacyDatabaseAndAdoptAsync(rows: 10);

        Assert.DoesNotContain(operations, o => o is DropColumnOperation or DropTableOperation);
        Assert.Contains(operations, o => o is AddColumnOperation { Name: "PersonalData$gdpr", Table: "Customers" });
    }

    [SkippableFact]
    public async Task WholeProcedure_EveryValueReadsBackIdentical_AndNoPlaintextIsLeftInTheFiles_Art32()
    {
        Skip.If(!Available, PostgresServer.HowToRun);

        await CreateLegacyDatabaseAndAdoptAsync(Rows);
        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();
        var reports = new List<LegacyEncryptionProgress>();

        var result = await migration.EncryptAsync(new SyncProgress(reports.Add));

        Assert.Equal(Rows - 3 + (2 * (Rows / 2)), result.RowsEncrypted); // customers, chats and invoices
        Assert.Equal(3, result.RefusedRows.Count);
        Assert.All(result.RefusedRows, r => Assert.StartsWith("Customer (key ", r, StringComparison.Ordinal));
        Assert.All(result.RefusedRows, r => Assert.DoesNotContain(EmailDomain, r, StringComparison.Ordinal));
        var customersDone = reports.Last(r => r.Entity == nameof(Customer));
        Assert.Equal(Rows, customersDone.RowsTotal);
        Assert.Equal(Rows - 3, customersDone.RowsDone);
        Assert.Equal(Rows / 2, reports.Last(r => r.Entity == nameof(Chat)).RowsDone);
        Assert.Equal(Rows / 2, reports.Last(r => r.Entity == nameof(Invoice)).RowsDone);

        // The refused rows still hold plaintext: the verification must not pass.
        var early = await migration.VerifyAsync();
        Assert.False(early.Passed);
        Assert.Contains(early.Problems, p => p.Contains("3 rows still hold plaintext", StringComparison.Ordinal));

        await using (var context = CreateContext())
        {
            await context.Database.ExecuteSqlRawAsync("UPDATE \"Customers\" SET \"CustomerNumber\" = 'C-REPAIRED-' || CAST(\"Id\" AS TEXT) WHERE \"CustomerNumber\" IS NULL");
        }

        var second = await migration.EncryptAsync();
        Assert.Equal(3, second.RowsEncrypted);
        Assert.Empty(second.RefusedRows);
        Assert.True((await migration.VerifyAsync()).Passed);

        await using (var context = CreateContext())
        {
            var customers = await context.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
            Assert.Equal(Rows, customers.Count);
            foreach (var customer in customers)
            {
                var expected = Legacy(customer.Id);
                Assert.Equal(expected.Email, customer.Email);
                Assert.Equal(expected.Phone, customer.Phone);
                Assert.Equal(expected.Balance, customer.Balance);
                Assert.Equal(expected.BirthDate, customer.BirthDate);
            }

            var chats = await context.Chats.AsNoTracking().ToListAsync();
            Assert.Equal(Rows / 2, chats.Count);
            Assert.All(chats, c => Assert.Equal(LegacyChatOf(c.Id).Transcript, c.Transcript));
            var invoices = await context.Invoices.AsNoTracking().ToListAsync();
            Assert.Equal(Rows / 2, invoices.Count);
            Assert.All(invoices, i => Assert.Equal(LegacyInvoiceOf(i.Id).Amount, i.Amount));
        }

        Assert.True(await migration.RemovePlaintextRemnantsAsync());
        var files = await ReadTableFilesAsync();
        Assert.True(files.Length > 0);
        // The right files, with the rows in them: the customer numbers (subject ids, plaintext by design) are there.
        Assert.True(files.AsSpan().IndexOf("C-000042"u8) >= 0, "the table's rows are in the bytes read");
        Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(EmailDomain)));
        Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(PhonePrefix)));
        Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(TranscriptMarker)));
    }

    /// <summary>
    /// An old value the provider cannot convert to its member's type is refused by entity, key and member, never
    /// with the value; the row is left as it was and every other row of the batch is encrypted (Art. 5(1)(d)).
    /// </summary>
    [SkippableFact]
    public async Task UnreadableOldValue_IsRefusedByKeyAndMember_WithoutTheValue_AndTheOtherRowsGoOn()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await CreateLegacyDatabaseAndAdoptAsync(rows: 50);
        await using (var context = CreateLegacyContext())
        {
            await context.Database.ExecuteSqlRawAsync(UnreadableBalanceSql(7));
        }

        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();
        migration.BatchSize = 20;
        var result = await migration.EncryptAsync();

        Assert.Equal(50 - 2 + 25 + 25, result.RowsEncrypted);
        var unreadable = Assert.Single(result.RefusedRows, r => r.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Equal("Customer (key 7): the old value of Balance (not a Decimal) cannot be read", unreadable);
        Assert.Contains(result.RefusedRows, r => r == "Customer (key 3): no data subject id in CustomerNumber");
        Assert.Equal(2L, await RowsWithPlaintextEmailAsync()); // rows 3 and 7, untouched
        Assert.DoesNotContain(await ColumnsAsync(), c => c.Key is 3 or 7);
        var verification = await migration.VerifyAsync();
        Assert.False(verification.Passed);
        Assert.All(verification.Problems, p => Assert.DoesNotContain(UnreadableMarker, p, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task PassStoppedAfterABatch_ContinuesWhereItWas_AndEncryptsNothingTwice()
    {
        Skip.If(!Available, PostgresServer.HowToRun);

        await CreateLegacyDatabaseAndAdoptAsync(rows: 1_200);
        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();
        migration.BatchSize = 500;
        using var stop = new CancellationTokenSource();

        // Stopped after the customers' first batch (the chats, before them in the model's order, are done by then).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migration.EncryptAsync(
            new SyncProgress(p =>
            {
                if (p.Entity == nameof(Customer))
                {
                    stop.Cancel();
                }
            }),
            stop.Token));
        var firstBatch = await ColumnsAsync();
        Assert.Equal(500 - 2, firstBatch.Count); // rows 3 and 500 have no customer number

        var rest = await migration.EncryptAsync();

        Assert.Equal(1_200 - 3 - (500 - 2) + 600, rest.RowsEncrypted); // the customers left, and the invoices
        Assert.Equal(3, rest.RefusedRows.Count);
        var after = await ColumnsAsync();
        foreach (var (id, column) in firstBatch)
        {
            Assert.Equal(column, after[id]); // not encrypted a second time
        }
    }

    /// <summary>
    /// A subject erased before the pass reached its rows has its values in the kept plaintext columns and no key: the
    /// erasure must not find "nothing" and certify it. The scopes are reported as not destroyed, with no certificate
    /// (the trust rule: no certificate for what is still readable).
    /// </summary>
    [SkippableFact]
    public async Task SubjectErasedBeforeThePass_IsNotCertified_ItsPlaintextScopesAreReported()
    {
        Skip.If(!Available, PostgresServer.HowToRun);

        await CreateLegacyDatabaseAndAdoptAsync(rows: 20);
        var result = await Services.GetRequiredService<Gdpr.Erasure.IErasureService>().EraseAsync("C-000007");

        Assert.False(result.IsComplete);
        Assert.Null(result.Certificate);
        Assert.Contains(result.Scopes, s => s.Scope == "default" && s.Status == Gdpr.Erasure.ScopeErasureStatus.KeyMissing);
    }

    /// <summary>
    /// A subject whose row the application saved through the adapter (so it has keys) while its old plaintext columns
    /// still hold the earlier values: the erasure empties those columns too, since destroying a key does not reach a
    /// value never encrypted (Art. 17(1)), and only then certifies.
    /// </summary>
    [SkippableFact]
    public async Task SubjectErasedWithKeys_LosesItsPlaintextColumnsToo_Art17_1()
    {
        Skip.If(!Available, PostgresServer.HowToRun);

        await CreateLegacyDatabaseAndAdoptAsync(rows: 20);
        await using (var app = CreateContext())
        {
            var customer = await app.Customers.SingleAsync(c => c.Id == 7);
            customer.Email = "changed@example.org"; // saved encrypted; the old column keeps the earlier value
            await app.SaveChangesAsync();
        }

        Assert.NotNull((await ReadLegacyAsync(7)).Email);
        var result = await Services.GetRequiredService<Gdpr.Erasure.IErasureService>().EraseAsync("C-000007");

        Assert.True(result.IsComplete);
        var row = await ReadLegacyAsync(7);
        Assert.Null(row.Email);
        Assert.Null(row.Phone);
        Assert.NotNull((await ReadLegacyAsync(8)).Email); // another subject keeps its own
    }

    /// <summary>Row <paramref name="id"/>'s old Email and Phone columns, read with plain SQL.</summary>
    private async Task<(string? Email, string? Phone)> ReadLegacyAsync(int id)
    {
        await using var context = CreateLegacyContext();
        await context.Database.OpenConnectionAsync();
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT \"Email\", \"Phone\" FROM \"Customers\" WHERE \"Id\" = {id}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>
    /// Step 4 (dropping the kept columns) is scaffolded with a guard that the database runs in the migration: while
    /// any row still holds a value the drop is refused and nothing is lost (Art. 5(1)(f): protection against
    /// accidental loss); after the pass it runs, and every value still reads back.
    /// </summary>
    [SkippableFact]
    public async Task DropStep_BeforeThePass_IsRefusedByTheDatabase_AndAfterItEveryValueStillReadsBack_Art5_1_f()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await CreateLegacyDatabaseAndAdoptAsync(rows: 20);

        await using (var adopted = CreateContext())
        await using (var finished = CreateFinishedContext())
        {
            AssertEveryDropIsGuarded(Diff(adopted, finished), "Email", "Phone", "Balance", "BirthDate");
            var refused = await Assert.ThrowsAnyAsync<DbException>(() => MigrateAsync(adopted, finished));
            Assert.Matches(@"(Customers\.(Email|Phone|Balance|BirthDate)|Chats\.Transcript|Invoices\.Amount) still holds plaintext", refused.Message);
            Assert.DoesNotContain(EmailDomain, refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(20L, await RowsWithPlaintextEmailAsync());

        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();
        Assert.Single((await migration.EncryptAsync()).RefusedRows); // row 3 has no customer number
        await using (var context = CreateContext())
        {
            await context.Database.ExecuteSqlRawAsync("UPDATE \"Customers\" SET \"CustomerNumber\" = 'C-REPAIRED' WHERE \"CustomerNumber\" IS NULL");
        }

        await migration.EncryptAsync();
        Assert.True((await migration.VerifyAsync()).Passed);
        await using (var adopted = CreateContext())
        await using (var finished = CreateFinishedContext())
        {
            await MigrateAsync(adopted, finished);
        }

        await using var after = CreateFinishedContext();
        var customers = await after.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(20, customers.Count);
        Assert.All(customers, c => Assert.Equal(Legacy(c.Id).Email, c.Email));
        Assert.All(customers, c => Assert.Equal(Legacy(c.Id).Balance, c.Balance));
    }

    /// <summary>
    /// Adding [PersonalData] to existing columns without keeping them (step 1 forgotten) scaffolds their drop: the
    /// drop is guarded the same way and refused while they hold values (Art. 5(1)(f)).
    /// </summary>
    [SkippableFact]
    public async Task AdoptingWithoutKeepingTheColumns_TheScaffoldedDropIsRefused_AndNoValueIsLost_Art5_1_f()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await CreateLegacyDatabaseAsync(rows: 20);

        await using (var legacy = CreateLegacyContext())
        await using (var finished = CreateFinishedContext())
        {
            AssertEveryDropIsGuarded(Diff(legacy, finished), "Email", "Phone", "Balance", "BirthDate");
            var refused = await Assert.ThrowsAnyAsync<DbException>(() => MigrateAsync(legacy, finished));
            Assert.Contains("still holds plaintext", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(20L, await RowsWithPlaintextEmailAsync());
    }

    /// <summary>A model with no rows to lose (a new database) applies the guarded drop without complaint.</summary>
    [SkippableFact]
    public async Task GuardedDrop_OnAnEmptyTable_Runs()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await CreateLegacyDatabaseAsync(rows: 0);

        await using var legacy = CreateLegacyContext();
        await using var finished = CreateFinishedContext();
        var operations = await MigrateAsync(legacy, finished);

        Assert.Contains(operations, o => o is DropColumnOperation { Name: "Email" });
    }

    protected ServiceProvider Services => _services ?? throw new InvalidOperationException("No database yet.");

    protected AdoptedContext CreateContext() => Services.GetRequiredService<IDbContextFactory<AdoptedContext>>().CreateDbContext();

    /// <summary>
    /// The application before the SDK (plaintext columns, rows), then the migration an adopting application
    /// scaffolds, computed and applied the way <c>dotnet ef migrations add</c> and <c>database update</c> do.
    /// Three rows have no customer number.
    /// </summary>
    protected async Task<IReadOnlyList<MigrationOperation>> CreateLegacyDatabaseAndAdoptAsync(int rows)
    {
        await CreateLegacyDatabaseAsync(rows);
        await using var before = CreateLegacyContext();
        await using var adopted = CreateContext();
        return await MigrateAsync(before, adopted);
    }

    /// <summary>The application before the SDK: plaintext columns and rows; and the services of the SDK's version.</summary>
    private async Task CreateLegacyDatabaseAsync(int rows)
    {
        await using (var legacy = CreateLegacyContext())
        {
            await legacy.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            legacy.Customers.AddRange(Enumerable.Range(1, rows).Select(Legacy));
            legacy.Chats.AddRange(Enumerable.Range(1, rows / 2).Select(LegacyChatOf));
            legacy.Invoices.AddRange(Enumerable.Range(1, rows / 2).Select(LegacyInvoiceOf));
            await legacy.SaveChangesAsync();
        }

        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey)
            .UseLocalKeyRing(_keys.PathOf("keyring"))
            .UseCertificateSigningKey(_keys.PathOf("signing"))
            .UseEfCorePostgreSql()
            .AddEfCoreContext<AdoptedContext>((_, o) =>
            {
                Configure(o);
                o.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
                o.AddInterceptors(new FirstBatchSaveHook(this));
            })
            .UseEfCoreStores<AdoptedContext>();
        services.Configure<EfCoreKeyStoreOptions>(o => o.PurgeWaitLimit = PurgeWaitLimit);
        _services = services.BuildServiceProvider();
    }

    private LegacyContext CreateLegacyContext()
    {
        var options = new DbContextOptionsBuilder<LegacyContext>();
        Configure(options);
        return new LegacyContext(options.Options);
    }

    /// <summary>The model of step 4: the legacy columns no longer kept.</summary>
    private FinishedContext CreateFinishedContext()
    {
        var options = new DbContextOptionsBuilder<FinishedContext>();
        Configure(options);
        options.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        return new FinishedContext(options.UseGdpr(Services).Options);
    }

    /// <summary>
    /// The migration from one model to the next, computed and applied the way <c>dotnet ef migrations add</c> and
    /// <c>database update</c> do (the next model's differ and SQL generator, in one transaction).
    /// </summary>
    private static async Task<IReadOnlyList<MigrationOperation>> MigrateAsync(DbContext from, DbContext to)
    {
        var model = to.GetService<IDesignTimeModel>().Model;
        var operations = to.GetService<IMigrationsModelDiffer>().GetDifferences(from.GetService<IDesignTimeModel>().Model.GetRelationalModel(), model.GetRelationalModel());
        var commands = to.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await to.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, to.GetService<IRelationalConnection>());
        return operations;
    }

    /// <summary>The rows with a value in the old Email column, read with plain SQL.</summary>
    private async Task<long> RowsWithPlaintextEmailAsync()
    {
        await using var context = CreateLegacyContext();
        await context.Database.OpenConnectionAsync();
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"Customers\" WHERE \"Email\" IS NOT NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IReadOnlyList<MigrationOperation> Diff(DbContext from, DbContext to)
        => to.GetService<IMigrationsModelDiffer>().GetDifferences(from.GetService<IDesignTimeModel>().Model.GetRelationalModel(), to.GetService<IDesignTimeModel>().Model.GetRelationalModel());

    private static void AssertEveryDropIsGuarded(IReadOnlyList<MigrationOperation> operations, params string[] columns)
    {
        foreach (var column in columns)
        {
            var drop = operations.ToList().FindIndex(o => o is DropColumnOperation { Table: "Customers" } d && d.Name == column);
            Assert.True(drop > 0, $"a DropColumn of {column}");
            var guard = Assert.IsType<SqlOperation>(operations[drop - 1]);
            Assert.Contains($"Customers.{column} still holds plaintext", guard.Sql, StringComparison.Ordinal);
        }
    }

    private async Task<Dictionary<int, byte[]>> ColumnsAsync()
    {
        await using var context = CreateContext();
        return await context.Customers.AsNoTracking()
            .Where(c => EF.Property<byte[]?>(c, "PersonalData$gdpr") != null)
            .Select(c => new { c.Id, Column = EF.Property<byte[]>(c, "PersonalData$gdpr") })
            .ToDictionaryAsync(c => c.Id, c => c.Column);
    }

    private static LegacyCustomer Legacy(int id) => new()
    {
        Id = id,
        CustomerNumber = id is 3 or 500 or 1_100 ? null : $"C-{id:D6}",
        Email = $"customer{id}{EmailDomain}",
        Phone = PhonePrefix + id.ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
        Balance = id * 1.25m,
        BirthDate = new DateOnly(1950, 1, 1).AddDays(id % 20_000),
        Country = "NL",
    };

    private const string TranscriptMarker = "LEGACY-TRANSCRIPT";

    private static LegacyChat LegacyChatOf(int id) => new()
    {
        Id = id,
        CustomerNumber = $"C-{id * 2:D6}",
        Transcript = $"{TranscriptMarker} {id}: Goedemiddag, mijn adres is veranderd.",
    };

    private static LegacyInvoice LegacyInvoiceOf(int id) => new()
    {
        Id = id,
        CustomerNumber = $"C-{(id * 2) - 1:D6}",
        Amount = 100m + (id * 0.01m),
    };

    /// <summary>Runs <see cref="BeforeFirstBatchSave"/> once, in a save inside a transaction (a batch of the pass).</summary>
    private sealed class FirstBatchSaveHook(LegacyPlaintextMigrationTests test) : SaveChangesInterceptor
    {
        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context?.Database.CurrentTransaction is not null && test.BeforeFirstBatchSave is { } hook)
            {
                test.BeforeFirstBatchSave = null;
                await hook();
            }

            return result;
        }
    }

    private sealed class SyncProgress(Action<LegacyEncryptionProgress> report) : IProgress<LegacyEncryptionProgress>
    {
        public void Report(LegacyEncryptionProgress value) => report(value);
    }

    public sealed class LegacyCustomer
    {
        public int Id { get; set; }

        public string? CustomerNumber { get; set; }

        public string Email { get; set; } = "";

        public string? Phone { get; set; }

        public decimal Balance { get; set; }

        public DateOnly BirthDate { get; set; }

        public string Country { get; set; } = "";
    }

    public sealed class LegacyChat
    {
        public int Id { get; set; }

        public string CustomerNumber { get; set; } = "";

        public string? Transcript { get; set; }
    }

    public sealed class LegacyInvoice
    {
        public int Id { get; set; }

        public string CustomerNumber { get; set; } = "";

        public decimal Amount { get; set; }
    }

    public sealed class Chat
    {
        public int Id { get; set; }

        [DataSubjectId]
        public string CustomerNumber { get; set; } = "";

        [PersonalData(PersonalDataCategories.ChatTranscript)]
        public string? Transcript { get; set; }
    }

    public sealed class Invoice
    {
        public int Id { get; set; }

        [DataSubjectId]
        public string CustomerNumber { get; set; } = "";

        [PersonalData(PersonalDataCategories.Transaction)]
        public decimal Amount { get; set; }
    }

    public sealed class Customer
    {
        public int Id { get; set; }

        [DataSubjectId]
        public string? CustomerNumber { get; set; }

        [PersonalData(PersonalDataCategories.Email)]
        public string Email { get; set; } = "";

        [PersonalData(PersonalDataCategories.Phone)]
        public string? Phone { get; set; }

        [PersonalData(PersonalDataCategories.Transaction)]
        public decimal Balance { get; set; }

        [PersonalData(PersonalDataCategories.DateOfBirth)]
        public DateOnly BirthDate { get; set; }

        public string Country { get; set; } = "";
    }

    public sealed class LegacyContext(DbContextOptions<LegacyContext> options) : DbContext(options)
    {
        public DbSet<LegacyCustomer> Customers => Set<LegacyCustomer>();

        public DbSet<LegacyChat> Chats => Set<LegacyChat>();

        public DbSet<LegacyInvoice> Invoices => Set<LegacyInvoice>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<LegacyCustomer>().ToTable("Customers").Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<LegacyChat>().ToTable("Chats").Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<LegacyInvoice>().ToTable("Invoices").Property(c => c.Id).ValueGeneratedNever();
        }
    }

    public sealed class DesignTimeContext(DbContextOptions<DesignTimeContext> options) : DbContext(options)
    {
        public DbSet<Customer> Customers => Set<Customer>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<Customer>().ToTable("Customers").Property(c => c.Id).ValueGeneratedNever();
    }

    public sealed class AdoptedContext(DbContextOptions<AdoptedContext> options) : DbContext(options)
    {
        public DbSet<Customer> Customers => Set<Customer>();

        public DbSet<Chat> Chats => Set<Chat>();

        public DbSet<Invoice> Invoices => Set<Invoice>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Customer>().ToTable("Customers").HasLegacyPlaintextColumns().Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<Chat>().ToTable("Chats").HasLegacyPlaintextColumns().Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<Invoice>().ToTable("Invoices").HasLegacyPlaintextColumns().Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.AddGdprTables();
        }
    }

    public sealed class FinishedContext(DbContextOptions<FinishedContext> options) : DbContext(options)
    {
        public DbSet<Customer> Customers => Set<Customer>();

        public DbSet<Chat> Chats => Set<Chat>();

        public DbSet<Invoice> Invoices => Set<Invoice>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Customer>().ToTable("Customers").Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<Chat>().ToTable("Chats").Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.Entity<Invoice>().ToTable("Invoices").Property(c => c.Id).ValueGeneratedNever();
            modelBuilder.AddGdprTables();
        }
    }
}

/// <summary>
/// <c>dotnet ef migrations add</c> builds the model from a design-time factory; with <c>UseGdprForDesignTime()</c> it is
/// the adapter's real schema (Art. 32(1)(a): no plaintext column is ever created), and the context cannot store a value.
/// </summary>
public sealed class DesignTimeModelTests
{
    [Fact]
    public void DesignTimeOptions_ScaffoldThePersonalDataColumn_AndNoPlaintextColumn()
    {
        using var context = new LegacyPlaintextMigrationTests.DesignTimeContext(
            new DbContextOptionsBuilder<LegacyPlaintextMigrationTests.DesignTimeContext>().UseSqlite("Data Source=:memory:").UseGdprForDesignTime().Options);

        var table = context.GetService<IDesignTimeModel>().Model.GetRelationalModel().Tables.Single(t => t.Name == "Customers");

        Assert.Contains(table.Columns, c => c.Name == "PersonalData$gdpr" && c.StoreType == "BLOB");
        Assert.DoesNotContain(table.Columns, c => c.Name is "Email" or "Phone" or "Balance" or "BirthDate");
    }

    [Fact]
    public async Task DesignTimeOptions_CannotStoreAValue()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var context = new LegacyPlaintextMigrationTests.DesignTimeContext(
            new DbContextOptionsBuilder<LegacyPlaintextMigrationTests.DesignTimeContext>().UseSqlite(connection).UseGdprForDesignTime().Options);
        await context.Database.EnsureCreatedAsync();
        context.Customers.Add(new LegacyPlaintextMigrationTests.Customer { Id = 1, CustomerNumber = "C-1", Email = "jan@example.org" });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());

        Assert.Contains("UseGdprForDesignTime", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("jan@example.org", refused.Message, StringComparison.Ordinal);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM \"Customers\"";
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }
}

public sealed class SqliteLegacyPlaintextMigrationTests : LegacyPlaintextMigrationTests
{
    private readonly SqliteTempFolder _folder = new("gdpr-legacy-");

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = _folder.PathOf("legacy.db"), DefaultTimeout = 30 }.ToString();

    protected override bool Available => true;

    public override Task InitializeAsync()
    {
        SqliteTempFolder.SetJournalMode(ConnectionString, "wal");
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    protected override string UnreadableBalanceSql(int id) => $"UPDATE \"Customers\" SET \"Balance\" = '{UnreadableMarker}.5e9' WHERE \"Id\" = {id}";

    protected override async Task<byte[]> ReadTableFilesAsync()
    {
        SqliteConnection.ClearAllPools();
        using var all = new MemoryStream();
        foreach (var path in new[] { _folder.PathOf("legacy.db"), _folder.PathOf("legacy.db-wal") })
        {
            if (File.Exists(path))
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                await stream.CopyToAsync(all);
            }
        }

        return all.ToArray();
    }
}

public sealed class PostgresLegacyPlaintextMigrationTests : LegacyPlaintextMigrationTests
{
    private readonly string? _admin = PostgresServer.AdminConnectionString();
    private readonly string _schema = "gdpr_legacy_" + Guid.NewGuid().ToString("N");

    protected override bool Available => _admin is not null;

    private string ConnectionString => new NpgsqlConnectionStringBuilder(_admin) { SearchPath = _schema }.ToString();

    public override async Task InitializeAsync()
    {
        if (_admin is not null)
        {
            await ExecuteAsync($"CREATE SCHEMA \"{_schema}\"");
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_admin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP SCHEMA \"{_schema}\" CASCADE");
        }
    }

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    protected override string UnreadableBalanceSql(int id) => $"UPDATE \"Customers\" SET \"Balance\" = {UnreadableMarker}.5e9 WHERE \"Id\" = {id}";

    /// <summary>
    /// The old application changes a row's plaintext after the batch read it and before it saved: the batch's
    /// serializable transaction fails, the batch is read again, and the changed value is the one encrypted (Art. 5(1)(d)).
    /// SQLite needs no such test: the batch holds the file's write lock from its first read.
    /// </summary>
    [SkippableFact]
    public async Task RowChangedWhileItsBatchRuns_TheBatchIsReadAgain_AndTheChangedValueIsEncrypted()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        await CreateLegacyDatabaseAndAdoptAsync(rows: 30);
        BeforeFirstBatchSave = () => ExecuteAsync($"UPDATE \"{_schema}\".\"Customers\" SET \"Email\" = 'changed{EmailDomain}' WHERE \"Id\" = 1");
        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();

        var result = await migration.EncryptAsync();

        Assert.Null(BeforeFirstBatchSave); // the change did run inside a batch
        Assert.Equal(30 - 1 + 15 + 15, result.RowsEncrypted);
        await using var context = CreateContext();
        Assert.Equal("changed" + EmailDomain, (await context.Customers.AsNoTracking().SingleAsync(c => c.Id == 1)).Email);
        Assert.Equal("customer2" + EmailDomain, (await context.Customers.AsNoTracking().SingleAsync(c => c.Id == 2)).Email);
    }

    /// <summary>
    /// A transaction that began before the pass (on any other table) still sees the plaintext row versions, so VACUUM FULL must copy them
    /// into the new file: the clean-up says so rather than report the plaintext gone, and a run after that
    /// transaction ended removes it (Art. 5(1)(f), Art. 32(1)).
    /// </summary>
    [SkippableFact]
    public async Task CleanUp_WhileAnOlderTransactionStillReads_SaysItIsIncomplete_AndARunAfterItRemovesThePlaintext()
    {
        Skip.If(!Available, PostgresServer.HowToRun);
        PurgeWaitLimit = TimeSpan.FromMilliseconds(300);
        await CreateLegacyDatabaseAndAdoptAsync(rows: 50);
        var migration = Services.GetRequiredService<LegacyPlaintextMigration<AdoptedContext>>();

        await using var reader = new NpgsqlConnection(ConnectionString);
        await reader.OpenAsync();
        var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using (var first = new NpgsqlCommand("SELECT 1", reader, snapshot))
        {
            // The snapshot is taken here. Not of the customers' table: a reader of it would hold a lock that
            // VACUUM FULL waits for. Any other work does, like the transactions of the application's other tables.
            Assert.Equal(1, await first.ExecuteScalarAsync());
        }

        await migration.EncryptAsync();
        await ExecuteAsync($"UPDATE \"{_schema}\".\"Customers\" SET \"CustomerNumber\" = 'C-REPAIRED-' || CAST(\"Id\" AS TEXT) WHERE \"CustomerNumber\" IS NULL");
        await migration.EncryptAsync();
        Assert.True((await migration.VerifyAsync()).Passed);

        Assert.False(await migration.RemovePlaintextRemnantsAsync());
        Assert.True((await ReadTableFilesAsync()).AsSpan().IndexOf(Encoding.UTF8.GetBytes(EmailDomain)) >= 0, "the old row versions were kept, as the result said");

        await snapshot.CommitAsync();

        // The usual wait for the second run: the other tests on the shared server may have transactions of their own
        // that began before this one's rewrite, and 300 ms would then say "held back" again, rightly.
        Services.GetRequiredService<IOptions<EfCoreKeyStoreOptions>>().Value.PurgeWaitLimit = TimeSpan.FromMinutes(1);
        Assert.True(await migration.RemovePlaintextRemnantsAsync());
        Assert.Equal(-1, (await ReadTableFilesAsync()).AsSpan().IndexOf(Encoding.UTF8.GetBytes(EmailDomain)));
    }

    protected override async Task<byte[]> ReadTableFilesAsync()
    {
        // Superuser only (the CI cluster's user is one): flush to disk, then read the table's heap file raw.
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            await checkpoint.ExecuteNonQueryAsync();
        }

        await using var read = new NpgsqlCommand("SELECT pg_read_binary_file(pg_relation_filepath('\"Customers\"'))", connection);
        return (byte[])(await read.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
#pragma warning restore CA1001
