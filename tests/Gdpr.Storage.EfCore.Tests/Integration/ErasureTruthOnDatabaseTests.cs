using System.Text.Json;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Gdpr.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>
/// On a real database: an erasure names what it found per source, never certifies what it did not destroy, and says
/// whether the destroyed keys' bytes are known to be gone from the files. GDPR Art. 17(1), Art. 5(2) (demonstrable),
/// Art. 5(1)(f) (no copy left behind).
/// </summary>
public abstract class ErasureTruthOnDatabaseTests
{
    protected const string Customer = "cust-truth";

    protected static readonly string[] AllScopes = ["chat", "default", "marketing", "tax"];

    protected static readonly byte[] OtherPseudonymKey = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    /// <summary>What the key store reports after an ordinary erasure on this provider (default options).</summary>
    protected abstract KeyRemovalStatus ExpectedRemoval { get; }

    protected static FakeTimeProvider NewTime() => new(ContactCenterHost.Day0);

    /// <summary>Creates the tables and writes one customer: a shopper row (marketing, tax), two chat lines, a call recording.</summary>
    protected static async Task SeedAsync(IServiceProvider services, string subject)
    {
        await ContactCenterHost.CreateTablesAsync(services);
        await services.WithContextAsync(async db =>
        {
            db.Shoppers.Add(new Shopper { CustomerNumber = subject, NewsletterEmail = $"{subject}@example.org", Interests = "cycling", InvoiceName = $"Name of {subject}", InvoiceAddress = "Keizersgracht 1" });
            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = "hello" });
            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = "bye" });
            db.CallRecordings.Add(new CallRecording { CustomerNumber = subject, Audio = [1, 2, 3] });
            await db.SaveChangesAsync();
        });
    }

    protected static Task<int> CountKeysAsync(IServiceProvider services, SubjectPseudonym pseudonym)
        => services.WithContextAsync(db => db.Set<SubjectKeyRow>().CountAsync(k => k.Pseudonym == pseudonym.Value));

    // Art. 5(2): a second service provider with another PseudonymKey over the same database (a wrong secret in one
    // environment) finds the rows but neither keys nor tombstones: reported, never certified, nothing changed.
    protected static async Task WrongPseudonymKeyAsync(Action<DbContextOptionsBuilder> database, string keyRing)
    {
        var time = NewTime();
        await using var right = ContactCenterHost.Build(database, keyRing, time);
        await SeedAsync(right, Customer);
        await using var wrong = ContactCenterHost.Build(database, keyRing, time, pseudonymKey: OtherPseudonymKey);

        ErasureResult result;
        try
        {
            result = await wrong.GetRequiredService<IErasureService>().EraseAsync(Customer);
        }
        catch (GdprException ex) when (ex is not PersonalDataIntegrityException)
        {
            // A start-up check of the pseudonym key (a key-check value in the key store) may refuse the environment
            // before any erasure: also never a certificate, and never reported as tampering.
            Assert.DoesNotContain(Customer, ex.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(ErasureOutcome.Inconsistent, result.Outcome);
        Assert.Null(result.Certificate);
        Assert.Equal(AllScopes, result.Scopes.Where(s => s.Status == ScopeErasureStatus.KeyMissing).Select(s => s.Scope));
        Assert.DoesNotContain(result.Scopes, s => s.Status == ScopeErasureStatus.Destroyed);
        var source = Assert.Single(result.Sources);
        Assert.Equal((true, 4, 0, 0), (source.Succeeded, source.RowsFound, source.RowsDeleted, source.ValuesReplaced));
        Assert.Equal(AllScopes, source.ScopesFound.Order(StringComparer.Ordinal));
        Assert.Equal(0, await CountKeysAsync(wrong, wrong.GetRequiredService<ISubjectKeyManager>().GetPseudonym(Customer)));

        // Nothing was changed: with the right key everything reads, and the erasure then certifies.
        await right.WithContextAsync(async db =>
        {
            var shopper = await db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Customer);
            Assert.Equal(($"{Customer}@example.org", "cycling"), (shopper.NewsletterEmail, shopper.Interests));
            Assert.Equal(2, await db.ChatMessages.CountAsync(m => m.SenderId == Customer));
        });
        var fixedUp = await right.GetRequiredService<IErasureService>().EraseAsync(Customer);
        Assert.Equal(ErasureOutcome.Erased, fixedUp.Outcome);
        Assert.NotNull(fixedUp.Certificate);
    }

    // Art. 5(2): an id nothing knows gets "nothing found", and a certificate that says exactly that.
    protected static async Task UnknownSubjectAsync(Action<DbContextOptionsBuilder> database, string keyRing)
    {
        await using var services = ContactCenterHost.Build(database, keyRing, NewTime());
        await SeedAsync(services, Customer);

        var result = await services.GetRequiredService<IErasureService>().EraseAsync("cust-never-existed");

        Assert.Equal(ErasureOutcome.NothingFound, result.Outcome);
        Assert.Empty(result.Scopes);
        Assert.Equal(KeyRemovalStatus.NotApplicable, result.PhysicalRemoval);
        Assert.Equal((0, 0), (Assert.Single(result.Sources).RowsFound, result.Sources[0].ScopesFound.Count));
        using var json = JsonDocument.Parse(result.Certificate!.Json);
        Assert.Equal("nothing-found", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("destroyed").GetArrayLength());
        Assert.Equal(0, await CountKeysAsync(services, result.Subject));
    }

    // The result and the certificate name, per source, the rows and scopes found, then what was done.
    protected async Task RowsFoundPerSourceAsync(Action<DbContextOptionsBuilder> database, string keyRing)
    {
        await using var services = ContactCenterHost.Build(database, keyRing, NewTime());
        await SeedAsync(services, Customer);

        var result = await services.GetRequiredService<IErasureService>().EraseAsync(Customer);

        Assert.Equal(ErasureOutcome.Erased, result.Outcome);
        var source = Assert.Single(result.Sources);
        Assert.Equal((4, 2, 1), (source.RowsFound, source.RowsDeleted, source.ValuesReplaced)); // two chat lines deleted; Interests replaced
        Assert.Equal(AllScopes, source.ScopesFound.Order(StringComparer.Ordinal));
        Assert.Equal(ExpectedRemoval, result.PhysicalRemoval);
        using var json = JsonDocument.Parse(result.Certificate!.Json);
        var certified = Assert.Single(json.RootElement.GetProperty("sources").EnumerateArray());
        Assert.Equal((4, 2, 1), (certified.GetProperty("rowsFound").GetInt32(), certified.GetProperty("rowsDeleted").GetInt32(), certified.GetProperty("valuesReplaced").GetInt32()));
        Assert.Equal(AllScopes, certified.GetProperty("scopesFound").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(ExpectedRemoval == KeyRemovalStatus.Removed ? "removed" : "pending", json.RootElement.GetProperty("physicalRemoval").GetString());
    }
}

public sealed class SqliteErasureTruthTests : ErasureTruthOnDatabaseTests
{
    protected override KeyRemovalStatus ExpectedRemoval => KeyRemovalStatus.Removed;

    [Fact]
    public async Task Erase_WrongPseudonymKey_Art5_2_ReportsKeyMissing_NeverACertificate()
    {
        using var database = new SqliteContactCenterDatabase();
        await WrongPseudonymKeyAsync(database.Configure, database.KeyRingDirectory);
    }

    [Fact]
    public async Task Erase_UnknownSubject_Art5_2_NothingFound()
    {
        using var database = new SqliteContactCenterDatabase();
        await UnknownSubjectAsync(database.Configure, database.KeyRingDirectory);
    }

    [Fact]
    public async Task Erase_NamesRowsFoundPerSource_AndRemovalDone()
    {
        using var database = new SqliteContactCenterDatabase();
        await RowsFoundPerSourceAsync(database.Configure, database.KeyRingDirectory);
    }

    // Art. 17, Art. 5(1)(f): the process dies between a shred's commit and the WAL checkpoint (simulated: the store
    // fails right after the shred commits, while a reader holds an older snapshot so that no checkpoint completes).
    // The retry has nothing left to shred of that scope, yet it must finish the removal: afterwards no destroyed key's
    // bytes are in the database file or its -wal, read raw; until then the result says "pending".
    [Fact]
    public async Task Erase_CrashBetweenShredAndCheckpoint_Art17_RetryLeavesNoWrappedKeyBytesInTheFiles()
    {
        using var database = new SqliteContactCenterDatabase();

        // A short busy timeout: the checkpoint gives up after a second while the reader holds its snapshot.
        var connectionString = new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 1 }.ToString();
        FaultInjectingSubjectKeyStore? crashing = null;
        await using var services = ContactCenterHost.Build(
            o => o.UseSqlite(connectionString),
            database.KeyRingDirectory,
            NewTime(),
            configureServices: s => s.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(sp => crashing = new FaultInjectingSubjectKeyStore(sp.GetRequiredService<EfCoreSubjectKeyStore>()))));
        await SeedAsync(services, Customer);
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(Customer);
        var before = await KeyRows.WrappedKeysAsync(new SqliteConnection(database.ConnectionString), pseudonym);
        Assert.Equal(AllScopes, before.Keys.Order(StringComparer.Ordinal));
        var erasure = services.GetRequiredService<IErasureService>();

        ErasureResult first;
        await using (var reader = new SqliteConnection(database.ConnectionString))
        {
            await reader.OpenAsync();
            // Deferred: a read transaction (its snapshot starts at the first read), not the write lock.
            await using var snapshot = reader.BeginTransaction(deferred: true);
            await using (var read = reader.CreateCommand())
            {
                read.CommandText = "SELECT count(*) FROM gdpr_subject_keys";
                Assert.Equal(4L, (long)(await read.ExecuteScalarAsync())!);
            }

            crashing!.FailAfter(SubjectKeyStoreCall.Shred, () => new IOException("simulated crash after the shred committed")); // the process "dies" before the checkpoint
            first = await erasure.EraseAsync(Customer);

            Assert.Equal(ErasureOutcome.Partial, first.Outcome);
            Assert.Null(first.Certificate);
            Assert.Equal("chat", Assert.Single(first.Scopes, s => s.Status == ScopeErasureStatus.Failed).Scope);
            Assert.Equal(KeyRemovalStatus.Pending, first.PhysicalRemoval);

            // Control: the crashed shred committed (its row is gone) but its bytes are still in the files.
            Assert.False((await KeyRows.WrappedKeysAsync(new SqliteConnection(database.ConnectionString), pseudonym)).ContainsKey("chat"));
            Assert.Contains(database.ReadFiles(), f => f.Bytes.AsSpan().IndexOf(before["chat"]) >= 0);
            await snapshot.CommitAsync();
        }

        var retry = await erasure.EraseAsync(Customer);

        Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.Removed), (retry.Outcome, retry.PhysicalRemoval));
        using (var json = JsonDocument.Parse(retry.Certificate!.Json))
        {
            Assert.Equal("removed", json.RootElement.GetProperty("physicalRemoval").GetString());
        }

        var files = database.ReadFiles();
        Assert.Contains(files, f => f.File == "contactcenter.db");
        foreach (var scope in new[] { "chat", "default", "marketing" })
        {
            Assert.All(files, f => Assert.True(f.Bytes.AsSpan().IndexOf(before[scope]) < 0, $"the destroyed {scope} key's bytes are still in {f.File}"));
        }

        Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(before["tax"]) >= 0); // control: the retained key is found
    }

    // Art. 5(1)(f): after a KEK rotation the old wrappings (readable with the retired KEK, wherever it survives) are
    // in no database file, read raw; the result says so.
    [Fact]
    public async Task RotateKeyEncryptionKey_Art5_1_f_LeavesNoRetiredWrappingBytesInTheFiles()
    {
        using var database = new SqliteKeyStoreDatabase("wal");
        await using var services = TestHosts.Build(database.Configure, database.KeyRingDirectory);
        var encryptor = services.GetRequiredService<Gdpr.Encryption.IFieldEncryptor>();
        for (var i = 0; i < 6; i++)
        {
            await encryptor.EncryptValueAsync(new Gdpr.Encryption.FieldAddress(TestHosts.NewSubjectId(), "default", "Customer.Email"), "someone@example.org");
        }

        var old = ReadAllWrappings(database.ConnectionString);

        var rotation = await services.GetRequiredService<ISubjectKeyManager>().RotateKeyEncryptionKeyAsync();

        Assert.Equal((6, KeyRemovalStatus.Removed), (rotation.RewrappedKeys, rotation.PhysicalRemoval));
        var rewrapped = ReadAllWrappings(database.ConnectionString);
        Assert.All(old, w => Assert.False(database.AnyFileContains(w), "a retired wrapping's bytes are still in a database file"));
        Assert.All(rewrapped, w => Assert.True(database.AnyFileContains(w))); // control: the search finds the new ones
    }

    internal static List<byte[]> ReadAllWrappings(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT wrapped_key FROM gdpr_subject_keys";
        using var reader = command.ExecuteReader();
        var result = new List<byte[]>();
        while (reader.Read())
        {
            result.Add((byte[])reader.GetValue(0));
        }

        Assert.NotEmpty(result);
        return result;
    }

}

public sealed class PostgresErasureTruthTests(PostgresKeyStoreDatabase database) : ErasureTruthOnDatabaseTests, IClassFixture<PostgresKeyStoreDatabase>
{
    // Without PurgeOnErasure, dead row versions stay until a purge: the store cannot say they are gone.
    protected override KeyRemovalStatus ExpectedRemoval => KeyRemovalStatus.Pending;

    [SkippableFact]
    public async Task Erase_WrongPseudonymKey_Art5_2_ReportsKeyMissing_NeverACertificate()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await WrongPseudonymKeyAsync(o => o.UseNpgsql(connectionString), database.KeyRingDirectory);
    }

    [SkippableFact]
    public async Task Erase_UnknownSubject_Art5_2_NothingFound()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await UnknownSubjectAsync(o => o.UseNpgsql(connectionString), database.KeyRingDirectory);
    }

    [SkippableFact]
    public async Task Erase_NamesRowsFoundPerSource_AndRemovalPending()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await RowsFoundPerSourceAsync(o => o.UseNpgsql(connectionString), database.KeyRingDirectory);
    }

    // Art. 17, Art. 5(1)(f) with PurgeOnErasure: a report holding an older snapshot keeps the purge from completing,
    // so the first erasure says "pending" (and the dead row versions are still in the table's file); the retry,
    // after the report ended, finishes the purge: "removed", and the file holds none of the destroyed keys.
    [SkippableFact]
    public async Task Erase_PurgeOnErasure_HeldBackByAReport_Art17_PendingThenRetryRemovesTheBytes()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        var time = NewTime();
        await using var impatient = ContactCenterHost.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, time, keyStore: o =>
        {
            o.PurgeOnErasure = true;
            o.PurgeWaitLimit = TimeSpan.Zero;
        });
        await SeedAsync(impatient, Customer);
        var pseudonym = impatient.GetRequiredService<ISubjectKeyManager>().GetPseudonym(Customer);
        var before = await KeyRows.WrappedKeysAsync(new NpgsqlConnection(connectionString), pseudonym);

        ErasureResult first;
        await using (var report = new NpgsqlConnection(connectionString))
        {
            await report.OpenAsync();
            await using var snapshot = await report.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            await using (var read = new NpgsqlCommand("SELECT count(*) FROM gdpr_subject_keys", report, snapshot))
            {
                await read.ExecuteScalarAsync();
            }

            first = await impatient.GetRequiredService<IErasureService>().EraseAsync(Customer);

            Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.Pending), (first.Outcome, first.PhysicalRemoval));
            Assert.True(await TableFileContainsAsync(connectionString, before["chat"]), "control: the report's snapshot keeps the dead row version");
            await snapshot.CommitAsync();
        }

        await using var patient = ContactCenterHost.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, time, keyStore: o => o.PurgeOnErasure = true);
        var retry = await patient.GetRequiredService<IErasureService>().EraseAsync(Customer);

        Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.Removed), (retry.Outcome, retry.PhysicalRemoval));
        using (var json = JsonDocument.Parse(retry.Certificate!.Json))
        {
            Assert.Equal("removed", json.RootElement.GetProperty("physicalRemoval").GetString());
        }

        foreach (var scope in new[] { "chat", "default", "marketing" })
        {
            Assert.False(await TableFileContainsAsync(connectionString, before[scope]), $"the destroyed {scope} key's bytes are still in the table's file");
        }

        Assert.True(await TableFileContainsAsync(connectionString, before["tax"]), "control: the retained key was expected in the table's file");
    }

    // Art. 5(1)(f): a KEK rotation with PurgeOnErasure leaves no retired wrapping in the key table's file; without it
    // the result says the removal is pending.
    [SkippableFact]
    public async Task RotateKeyEncryptionKey_Art5_1_f_PurgeOnErasure_LeavesNoRetiredWrappingBytesInTheTableFile()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        var keyRing = Path.Combine(Path.GetTempPath(), "gdpr-keys-rotate-" + Guid.NewGuid().ToString("N"));
        KeyRings.Create(keyRing);
        try
        {
            await using (var create = new GdprKeyStoreDbContext(new DbContextOptionsBuilder<GdprKeyStoreDbContext>().UseNpgsql(connectionString).Options))
            {
                await create.Database.EnsureCreatedAsync();
            }

            await using var services = TestHosts.Build(o => o.UseNpgsql(connectionString), keyRing, keyStore: o => o.PurgeOnErasure = true);
            var encryptor = services.GetRequiredService<Gdpr.Encryption.IFieldEncryptor>();
            for (var i = 0; i < 4; i++)
            {
                await encryptor.EncryptValueAsync(new Gdpr.Encryption.FieldAddress(TestHosts.NewSubjectId(), "default", "Customer.Email"), "someone@example.org");
            }

            var old = await ReadAllWrappingsAsync(connectionString);

            var rotation = await services.GetRequiredService<ISubjectKeyManager>().RotateKeyEncryptionKeyAsync();

            Assert.Equal((4, KeyRemovalStatus.Removed), (rotation.RewrappedKeys, rotation.PhysicalRemoval));
            foreach (var wrapping in old)
            {
                Assert.False(await TableFileContainsAsync(connectionString, wrapping), "a retired wrapping's bytes are still in the table's file");
            }

            Assert.True(await TableFileContainsAsync(connectionString, (await ReadAllWrappingsAsync(connectionString))[0]), "control: the new wrapping is in the file");

            await using var withoutPurge = TestHosts.Build(o => o.UseNpgsql(connectionString), keyRing);
            Assert.Equal(KeyRemovalStatus.Pending, (await withoutPurge.GetRequiredService<ISubjectKeyManager>().RotateKeyEncryptionKeyAsync()).PhysicalRemoval);
        }
        finally
        {
            Directory.Delete(keyRing, recursive: true);
        }
    }

    private static async Task<List<byte[]>> ReadAllWrappingsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT wrapped_key FROM gdpr_subject_keys", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<byte[]>();
        while (await reader.ReadAsync())
        {
            result.Add((byte[])reader.GetValue(0));
        }

        Assert.NotEmpty(result);
        return result;
    }


    private static async Task<bool> TableFileContainsAsync(string connectionString, byte[] needle)
    {
        // Superuser only (the CI cluster's user is one): flush to disk, then read the heap file raw.
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            await checkpoint.ExecuteNonQueryAsync();
        }

        await using var read = new NpgsqlCommand("SELECT pg_read_binary_file(pg_relation_filepath('gdpr_subject_keys'))", connection);
        var file = (byte[])(await read.ExecuteScalarAsync())!;
        return file.AsSpan().IndexOf(needle) >= 0;
    }
}
