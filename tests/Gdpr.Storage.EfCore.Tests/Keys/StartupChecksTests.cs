using System.Data.Common;
using System.Security.Cryptography;
using Gdpr.Classification;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

public sealed class Member
{
    public int Id { get; set; }

    [DataSubjectId]
    public string Number { get; set; } = string.Empty;

    [PersonalData(PersonalDataCategories.Email)]
    public string? Email { get; set; }
}

/// <summary>An application's DbContext holding its members and the key store, as the start-up checks meet it.</summary>
public sealed class MemberContext(DbContextOptions<MemberContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Member>().ToTable("members");
        modelBuilder.AddGdprTables(); // the tests below register every EF store on this context
    }
}

/// <summary>
/// The EF key store keeps the pseudonym-key check value and lists the KEKs it uses, so that a start with the wrong
/// pseudonym key or without the key ring fails before anything is read or written (Art. 17(1): an erasure must find
/// the subject's keys; Art. 32(1)(b): data stays available). Subject ids are checked before any key row exists.
/// </summary>
public abstract class StartupChecksTests : IDisposable
{
    // By index: the test runner's serialization of theory data would turn a lone surrogate into U+FFFD.
    private static readonly string[] InvalidIds = ["SUBJ-\uD800", "SUBJ-\uDBFF", "SUBJ-\0", "SUBJ-\u0001"];

    private readonly string _rings = Path.Combine(Path.GetTempPath(), "gdpr-ef-startup-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    public static TheoryData<int> InvalidIdIndexes() => [.. Enumerable.Range(0, InvalidIds.Length)];

    protected string Ring => Path.Combine(_rings, "kek");

    /// <summary>Configures a fresh, empty database.</summary>
    protected abstract Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync();

    public void Dispose()
    {
        if (Directory.Exists(_rings))
        {
            Directory.Delete(_rings, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Start_WithAnotherPseudonymKey_FailsWithPseudonymKeyMismatch_AndWritesNothing()
    {
        var database = await CreateDatabaseAsync();
        var subject = TestHosts.NewSubjectId();
        await using (var first = await BuildAsync(database, TestHosts.PseudonymKey, createTables: true))
        {
            await SaveAsync(first, new Member { Number = subject, Email = "jan@example.org" });
        }

        var wrongKey = Enumerable.Repeat((byte)0x42, 32).ToArray();
        await using var second = await BuildAsync(database, wrongKey);

        var ex = await Assert.ThrowsAsync<PseudonymKeyMismatchException>(() => SaveAsync(second, new Member { Number = TestHosts.NewSubjectId(), Email = "new@example.org" }));
        await Assert.ThrowsAsync<PseudonymKeyMismatchException>(async () => await second.GetRequiredService<ISubjectKeyManager>().ShredAsync(subject, "default"));

        Assert.DoesNotContain("tamper", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1L, await ScalarAsync(second, "SELECT COUNT(*) FROM gdpr_subject_keys"));
        Assert.Equal(1L, await ScalarAsync(second, "SELECT COUNT(*) FROM members"));

        // What the table holds: one check value, 43 base64url characters, not the key.
        var stored = (string)(await ScalarAsync(second, "SELECT value FROM gdpr_key_store_settings WHERE name = 'pseudonym_key_check'"))!;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", stored);
        Assert.DoesNotContain(Convert.ToBase64String(TestHosts.PseudonymKey).TrimEnd('='), stored, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync(second, "SELECT COUNT(*) FROM gdpr_key_store_settings"));

        // The right key still starts and finds the subject.
        await using var third = await BuildAsync(database, TestHosts.PseudonymKey);
        Assert.Equal(["default"], await third.GetRequiredService<ISubjectKeyManager>().GetScopesAsync(subject).ToListAsync());
    }

    [SkippableFact]
    public async Task Start_KeyRingFolderNotMounted_FailsNamingTheKeyEncryptionKeysTheStoreUses()
    {
        var database = await CreateDatabaseAsync();
        string kekId;
        await using (var first = await BuildAsync(database, TestHosts.PseudonymKey, createTables: true))
        {
            await SaveAsync(first, new Member { Number = TestHosts.NewSubjectId(), Email = "jan@example.org" });
            kekId = await first.GetRequiredService<IKeyEncryptionKeyProvider>().GetActiveKeyIdAsync();
        }

        Directory.Delete(Ring, recursive: true);
        await using var second = await BuildAsync(database, TestHosts.PseudonymKey);

        var ex = await Assert.ThrowsAsync<MissingKeyEncryptionKeysException>(() => SaveAsync(second, new Member { Number = TestHosts.NewSubjectId(), Email = "new@example.org" }));

        Assert.Equal([kekId], ex.MissingKeyIds);
        Assert.Contains(kekId, ex.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync(second, "SELECT COUNT(*) FROM gdpr_subject_keys")); // nothing written under the new KEK
        Assert.Equal(1L, await ScalarAsync(second, "SELECT COUNT(*) FROM members"));
    }

    [SkippableTheory]
    [MemberData(nameof(InvalidIdIndexes))]
    public async Task Save_InvalidSubjectId_IsRefusedBeforeAnyKeyRow(int index)
    {
        var database = await CreateDatabaseAsync();
        await using var services = await BuildAsync(database, TestHosts.PseudonymKey, createTables: true);

        var ex = await Assert.ThrowsAsync<InvalidSubjectIdException>(() => SaveAsync(services,
            new Member { Number = TestHosts.NewSubjectId(), Email = "valid@example.org" },
            new Member { Number = InvalidIds[index], Email = "invalid@example.org" }));

        Assert.Contains("subject id", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SUBJ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(services, "SELECT COUNT(*) FROM gdpr_subject_keys"));
        Assert.Equal(0L, await ScalarAsync(services, "SELECT COUNT(*) FROM members"));
    }

    [SkippableFact]
    public async Task Save_SubjectIdsDifferingOnlyInInvalidUtf16_NeitherGetsAKey_AndUFFFDIsASubjectOfItsOwn()
    {
        var database = await CreateDatabaseAsync();
        await using var services = await BuildAsync(database, TestHosts.PseudonymKey, createTables: true);

        await Assert.ThrowsAsync<InvalidSubjectIdException>(() => SaveAsync(services, new Member { Number = "SUBJ-\uD800", Email = "a@example.org" }));
        await Assert.ThrowsAsync<InvalidSubjectIdException>(() => SaveAsync(services, new Member { Number = "SUBJ-\uDBFF", Email = "b@example.org" }));
        await SaveAsync(services, new Member { Number = "SUBJ-\uFFFD", Email = "c@example.org" });

        Assert.Equal(1L, await ScalarAsync(services, "SELECT COUNT(*) FROM gdpr_subject_keys"));
        await using var scope = services.CreateAsyncScope();
        using var db = services.GetRequiredService<IDbContextFactory<MemberContext>>().CreateDbContext();
        var member = await db.Members.SingleAsync();
        Assert.Equal("SUBJ-\uFFFD", member.Number);
        Assert.Equal("c@example.org", member.Email);
    }

    [SkippableFact]
    public async Task Start_EfKeyStoreWithAnInMemoryKeyRing_WithoutOptIn_NamesTheKeyRing()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContextFactory<MemberContext>((sp, o) => database(o.UseGdpr(sp)));
        services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey)
            .UseEfCorePostgreSql()
            .UseCertificateSigningKey(Path.Combine(_rings, "signing"))
            .UseEfCoreKeyStore<MemberContext>()
            .UseEfCoreAuditTrail<MemberContext>()
            .UseEfCoreRetentionSchedule<MemberContext>()
            .UseEfCoreLegalHolds<MemberContext>();
        await using var provider = services.BuildServiceProvider();

        // The EF key store wraps the KEK provider (to record KEK dates): the in-memory ring is still seen behind it.
        var ex = await Assert.ThrowsAsync<InMemoryStoresNotAllowedException>(async () =>
            await provider.GetRequiredService<ISubjectKeyManager>().ShredAsync(TestHosts.NewSubjectId(), "default"));

        Assert.Equal(["key-encryption keys (local key ring) (UseLocalKeyRing(directory) or register a KMS IKeyEncryptionKeyProvider)"], ex.Components);
    }

    private async Task<ServiceProvider> BuildAsync(Action<DbContextOptionsBuilder> database, byte[] pseudonymKey, bool createTables = false)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<MemberContext>((sp, o) =>
        {
            database(o);
            o.UseGdpr(sp);
            o.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        });
        services.AddGdpr(o => o.PseudonymKey = pseudonymKey).UseInMemoryStores().UseEfCorePostgreSql()
            .UseLocalKeyRing(Ring)
            .UseEfCoreKeyStore<MemberContext>();
        var provider = services.BuildServiceProvider();
        if (createTables)
        {
            using var db = provider.GetRequiredService<IDbContextFactory<MemberContext>>().CreateDbContext();
            await db.Database.EnsureCreatedAsync();
        }

        return provider;
    }

    private static async Task SaveAsync(IServiceProvider services, params Member[] members)
    {
        using var db = services.GetRequiredService<IDbContextFactory<MemberContext>>().CreateDbContext();
        db.Members.AddRange(members);
        await db.SaveChangesAsync();
    }

    private static async Task<object?> ScalarAsync(IServiceProvider services, string sql)
    {
        using var db = services.GetRequiredService<IDbContextFactory<MemberContext>>().CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is int i ? (long)i : value;
    }
}

public sealed class SqliteStartupChecksTests : StartupChecksTests
{
    protected override Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Ring)!);
        var path = Path.Combine(Path.GetDirectoryName(Ring)!, "members.db");
        return Task.FromResult<Action<DbContextOptionsBuilder>>(o => o.UseSqlite($"Data Source={path};Pooling=False"));
    }
}

public sealed class PostgresStartupChecksTests(PostgresKeyStoreDatabase database) : StartupChecksTests, IClassFixture<PostgresKeyStoreDatabase>
{
    protected override async Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        return o => o.UseNpgsql(connectionString);
    }
}
