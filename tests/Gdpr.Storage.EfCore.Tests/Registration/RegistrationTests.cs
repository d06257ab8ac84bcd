using System.Security.Cryptography;
using System.Text;
using Gdpr.Erasure;
using Gdpr.Export;
using Gdpr.Keys;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Registration;

/// <summary>
/// Every way of registering an application's DbContext either encrypts or fails before the first row is written,
/// and the mistakes a new user makes (no UseGdpr, no AddGdprTables, a retention-policy typo) fail when the host
/// starts, naming the context, type, member and policy. Run on SQLite files and on PostgreSQL.
/// </summary>
public abstract class RegistrationTests : IDisposable
{
    private const string TaxBasis = "Dutch AWR art. 52 (7-year fiscal retention)";

    private static readonly DateTimeOffset Day0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gdpr-registration-");

    protected RegistrationTests()
    {
        KeyRingDirectory = Path.Combine(_directory.FullName, "keyring");
        KeyRings.Create(KeyRingDirectory);
    }

    protected string KeyRingDirectory { get; }

    protected string TempDirectory => _directory.FullName;

    /// <summary>Creates an empty database of the test's own and returns how to configure a context for it.</summary>
    protected abstract Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync();

    /// <summary>Whether <paramref name="text"/> is stored anywhere in the given tables, read raw (files on SQLite).</summary>
    protected abstract Task<bool> StoredAsync(string text, params string[] tables);

    [SkippableFact]
    public async Task MissingUseGdpr_HostStart_FailsNamingTheContextAndItsMembers()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
        {
            services.AddDbContext<MembersContext>(o => database(Quiet(o)));
            AddGdpr(services).AddEfCoreDataSource<MembersContext>();
        });

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => host.StartAsync());

        Assert.Equal(nameof(MembersContext), error.ContextType);
        Assert.Contains("without UseGdpr", error.Message, StringComparison.Ordinal);
        Assert.Contains("Member.Email", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MissingUseGdpr_WithoutAHost_FirstSaveFailsAndWritesNothing()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Day0));
        services.AddDbContext<MembersContext>(o => database(Quiet(o)));
        AddGdpr(services).AddEfCoreDataSource<MembersContext>();
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            // The tables as the unprotected model makes them: Email is a plain text column.
            await scope.ServiceProvider.GetRequiredService<MembersContext>().Database.EnsureCreatedAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MembersContext>();
            db.Members.Add(new Member { MemberNumber = "M-PLAIN", Email = "plain.member@example.org" });

            var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => db.SaveChangesAsync());
            Assert.Equal(nameof(MembersContext), error.ContextType);
            Assert.DoesNotContain("plain.member", error.Message, StringComparison.Ordinal);
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MembersContext>().Members.CountAsync());
        }

        Assert.False(await StoredAsync("plain.member@example.org", "Members"));

        // Control: a row written past the SDK (raw SQL) is seen, so the look at the stored bytes can fail.
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MembersContext>().Database
                .ExecuteSqlRawAsync("INSERT INTO \"Members\" (\"MemberNumber\", \"Email\") VALUES ('M-CONTROL', 'control.member@example.org')");
        }

        Assert.True(await StoredAsync("control.member@example.org", "Members"));
    }

    [SkippableFact]
    public async Task DataSourceContextNeverRegistered_HostStart_FailsNamingTheContext()
    {
        _ = await CreateDatabaseAsync();
        using var host = BuildHost(services => AddGdpr(services).AddEfCoreDataSource<MembersContext>());

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => host.StartAsync());

        Assert.Equal(nameof(MembersContext), error.ContextType);
        Assert.Contains("is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddEfCoreContext<MembersContext>", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ModelCustomizerReplacedAfterUseGdpr_ByAnotherLibrary_BothModelStepsApply_AndEmailIsStoredEncrypted()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
        {
            // Another library that replaces the customizer (as several do): the SDK's step is a convention, not a customizer.
            services.AddDbContext<CustomizedContext>((sp, o) => database(Quiet(o).UseGdpr(sp).ReplaceService<IModelCustomizer, CommentingModelCustomizer>()));
            AddGdpr(services).UseInMemoryStores().AddEfCoreDataSource<CustomizedContext>();
        });

        await host.StartAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CustomizedContext>();
            Assert.Equal(CommentingModelCustomizer.Comment, db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model.FindEntityType(typeof(Member))!.GetComment());
            await db.Database.EnsureCreatedAsync();
            db.Members.Add(new Member { MemberNumber = "M-CUSTOM", Email = "custom.member@example.org" });
            await db.SaveChangesAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var read = await scope.ServiceProvider.GetRequiredService<CustomizedContext>().Members.AsNoTracking().SingleAsync();
            Assert.Equal("custom.member@example.org", read.Email);
        }

        Assert.False(await StoredAsync("custom.member@example.org", "Members"));
        await host.StopAsync();
    }

    /// <summary>Stands for another library's customizer: changes the model its own way, then leaves the rest to EF.</summary>
    private sealed class CommentingModelCustomizer(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
    {
        public const string Comment = "customized by another library";

        public override void Customize(ModelBuilder modelBuilder, DbContext context)
        {
            base.Customize(modelBuilder, context);
            modelBuilder.Entity<Member>().ToTable(t => t.HasComment(Comment));
        }
    }

    // GDPR Art. 17(3)(b): the invoice's billing name is kept for the legal obligation's period; RetainUntilExpiry on
    // a legal-obligation policy is what the start-up check accepts, and erasure keeps it readable.
    [SkippableFact]
    public async Task AddEfCoreContextAndUseEfCoreStores_SaveReadExportErase_RetainsTheInvoiceName_Art17_3_b()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
            AddGdpr(services, new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = TaxBasis })
                .UseLocalKeyRing(KeyRingDirectory)
                .UseCertificateSigningKey(Path.Combine(TempDirectory, "signing"))
                .AddEfCoreContext<StoresContext>((_, o) => database(Quiet(o)))
                .UseEfCoreStores<StoresContext>()
                .ConfigureExport(o =>
                {
                    o.Controller.Name = "Example Shop B.V.";
                    o.Controller.Contact = "privacy@example.org, Postbus 1, 1000 AA Amsterdam";
                    o.SupervisoryAuthority.Name = "Autoriteit Persoonsgegevens";
                }));
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<StoresContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        try
        {
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StoresContext>();
                db.Members.Add(new Member { MemberNumber = "M-1", Email = "member.one@example.org" });
                db.Invoices.Add(new RetainedInvoice { MemberNumber = "M-1", BillingName = "Jan Jansen-Invoice" });
                await db.SaveChangesAsync();
            }

            Assert.False(await StoredAsync("member.one@example.org", "Members", "Invoices"));
            Assert.False(await StoredAsync("Jan Jansen-Invoice", "Members", "Invoices"));
            Assert.Equal(("member.one@example.org", "Jan Jansen-Invoice"), await ReadAsync(host.Services, "M-1"));

            using (var export = new MemoryStream())
            {
                await host.Services.GetRequiredService<IPersonalDataExporter>().ExportAsync("M-1", export, ExportFormat.Json);
                var json = Encoding.UTF8.GetString(export.ToArray());
                Assert.Contains("member.one@example.org", json, StringComparison.Ordinal);
                Assert.Contains("Jan Jansen-Invoice", json, StringComparison.Ordinal);
            }

            var result = await host.Services.GetRequiredService<IErasureService>().EraseAsync("M-1");

            Assert.Equal(ScopeErasureStatus.Destroyed, Assert.Single(result.Scopes, s => s.Scope == PersonalDataAttribute.DefaultRetentionPolicy).Status);
            var tax = Assert.Single(result.Scopes, s => s.Scope == "tax");
            Assert.Equal(ScopeErasureStatus.Retained, tax.Status);
            Assert.Equal(TaxBasis, tax.LegalBasis);
            Assert.Equal(("[erased]", "Jan Jansen-Invoice"), await ReadAsync(host.Services, "M-1"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [SkippableFact]
    public async Task UseEfCoreStores_WithoutAddGdprTables_HostStart_FailsNamingTheContextAndTheCall()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
            AddGdpr(services)
                .UseLocalKeyRing(KeyRingDirectory)
                .AddEfCoreContext<NoTablesContext>((_, o) => database(Quiet(o)))
                .UseEfCoreStores<NoTablesContext>());

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => host.StartAsync());

        Assert.Equal(nameof(NoTablesContext), error.ContextType);
        Assert.Contains("modelBuilder.AddGdprTables()", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoTablesContext.OnModelCreating", error.Message, StringComparison.Ordinal);
    }

    // GDPR Art. 17(3)(b): "taxes" is registered as the legal obligation, the invoice says "tax". Unchecked, "tax"
    // falls under no obligation and an erasure destroys the invoice the law says to keep; the host refuses to start.
    [SkippableFact]
    public async Task UnregisteredPolicyName_HostStart_FailsNamingTypeMemberAndPolicy_Art17_3_b()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
            AddGdpr(services, new RetentionPolicy { Name = "taxes", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = TaxBasis })
                .AddEfCoreContext<TypoContext>((_, o) => database(Quiet(o))));

        var error = await Assert.ThrowsAsync<PersonalDataModelException>(() => host.StartAsync());

        Assert.Equal(nameof(TypoInvoice), error.Entity);
        Assert.Equal(nameof(TypoInvoice.BillingName), error.Member);
        Assert.Contains("retention policy 'tax'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'taxes'", error.Message, StringComparison.Ordinal);
    }

    // GDPR Art. 17(3)(b): without a host the same check runs on the first save, before any key or row exists.
    [SkippableFact]
    public async Task UnregisteredPolicyName_WithoutAHost_FirstSaveFailsBeforeAnyKeyOrRow_Art17_3_b()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Day0));
        AddGdpr(services, new RetentionPolicy { Name = "taxes", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = TaxBasis })
            .UseLocalKeyRing(KeyRingDirectory)
            .AddEfCoreContext<TypoContext>((_, o) => database(Quiet(o)));
        await using var provider = services.BuildServiceProvider();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<TypoContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TypoContext>();
            db.Invoices.Add(new TypoInvoice { MemberNumber = "M-TYPO", BillingName = "Typo Invoice Name" });

            var error = await Assert.ThrowsAsync<PersonalDataModelException>(() => db.SaveChangesAsync());
            Assert.Equal(nameof(TypoInvoice), error.Entity);
            Assert.Equal(nameof(TypoInvoice.BillingName), error.Member);
            Assert.Contains("'tax'", error.Message, StringComparison.Ordinal);
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<TypoContext>().Invoices.CountAsync());
        }

        var pseudonym = provider.GetRequiredService<ISubjectKeyManager>().GetPseudonym("M-TYPO");
        Assert.Empty(await provider.GetRequiredService<ISubjectKeyStore>().GetScopesAsync(pseudonym).ToListAsync());
        Assert.False(await StoredAsync("Typo Invoice Name", "Invoices"));
    }

    // GDPR Art. 17(3)(b) is the only reason RetainUntilExpiry keeps a value through an erasure: a policy that is not
    // a legal obligation would let the erasure destroy it at once, so the promise is refused at start.
    [SkippableFact]
    public async Task RetainUntilExpiry_OnAPolicyThatIsNoLegalObligation_HostStart_FailsNamingTypeMemberAndPolicy_Art17_3_b()
    {
        var database = await CreateDatabaseAsync();
        using var host = BuildHost(services =>
            AddGdpr(services, new RetentionPolicy { Name = "tax", Years = 7 })
                .UseLocalKeyRing(KeyRingDirectory)
                .AddEfCoreContext<StoresContext>((_, o) => database(Quiet(o)))
                .UseEfCoreStores<StoresContext>());

        var error = await Assert.ThrowsAsync<PersonalDataModelException>(() => host.StartAsync());

        Assert.Equal(nameof(RetainedInvoice), error.Entity);
        Assert.Equal(nameof(RetainedInvoice.BillingName), error.Member);
        Assert.Contains("RetainUntilExpiry", error.Message, StringComparison.Ordinal);
        Assert.Contains("'tax' is not a legal obligation", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task GenericUseGdpr_KeepsTheContextType_AndEncrypts()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Day0));
        AddGdpr(services).UseInMemoryStores().UseLocalKeyRing(KeyRingDirectory);
        await using var provider = services.BuildServiceProvider();
        var builder = new DbContextOptionsBuilder<MembersContext>();
        database(Quiet(builder));

        DbContextOptionsBuilder<MembersContext> typed = builder.UseGdpr(provider);

        await using (var db = new MembersContext(typed.Options))
        {
            await db.Database.EnsureCreatedAsync();
            db.Members.Add(new Member { MemberNumber = "M-GENERIC", Email = "generic.member@example.org" });
            await db.SaveChangesAsync();
        }

        Assert.False(await StoredAsync("generic.member@example.org", "Members"));
        await using (var db = new MembersContext(typed.Options))
        {
            Assert.Equal("generic.member@example.org", (await db.Members.SingleAsync()).Email);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A straggling handle on a temp dir is not worth failing a test over.
        }

        GC.SuppressFinalize(this);
    }

    private static T Quiet<T>(T options)
        where T : DbContextOptionsBuilder
    {
        // Every test builds its own application services, hence its own EF internal provider.
        options.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        return options;
    }

    private static IGdprBuilder AddGdpr(IServiceCollection services, params RetentionPolicy[] policies)
    {
        var builder = services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseEfCorePostgreSql();
        foreach (var policy in policies)
        {
            builder.AddRetentionPolicy(policy);
        }

        return builder;
    }

    private static IHost BuildHost(Action<IServiceCollection> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Day0));
        configure(builder.Services);
        return builder.Build();
    }

    private static async Task<(string Email, string BillingName)> ReadAsync(IServiceProvider services, string member)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StoresContext>();
        var email = (await db.Members.SingleAsync(m => m.MemberNumber == member)).Email;
        var name = (await db.Invoices.SingleAsync(i => i.MemberNumber == member)).BillingName;
        return (email, name);
    }
}

public sealed class SqliteRegistrationTests : RegistrationTests
{
    private string? _file;

    protected override Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        _file = Path.Combine(TempDirectory, "app.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _file, Pooling = false, DefaultTimeout = 30 }.ToString();
        return Task.FromResult<Action<DbContextOptionsBuilder>>(o => o.UseSqlite(connectionString));
    }

    /// <summary>The raw bytes of the database file and its -wal and -journal companions.</summary>
    protected override async Task<bool> StoredAsync(string text, params string[] tables)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var files = new[] { _file!, _file + "-wal", _file + "-journal" }.Where(File.Exists).ToList();
        Assert.Contains(_file!, files); // the database exists, so the check looked at real bytes
        foreach (var file in files)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes);
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}

public sealed class PostgresRegistrationTests(PostgresKeyStoreDatabase postgres) : RegistrationTests, IClassFixture<PostgresKeyStoreDatabase>
{
    private string? _connectionString;

    protected override async Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        _connectionString = connectionString;
        return o => o.UseNpgsql(connectionString);
    }

    /// <summary>Every row of the tables as text: text columns as they are, bytea as hex (so the text is looked for in both spellings).</summary>
    protected override async Task<bool> StoredAsync(string text, params string[] tables)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, @text) > 0 OR strpos(t::text, @hex) > 0", connection);
            command.Parameters.AddWithValue("text", text);
            command.Parameters.AddWithValue("hex", Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text)));
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return true;
            }
        }

        return false;
    }
}
