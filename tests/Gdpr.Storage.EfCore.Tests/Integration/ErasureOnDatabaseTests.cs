using Gdpr.Audit;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>
/// Erasure through the whole SDK on one application database: the application's tables, the EF key store, the
/// audit trail, the retention schedule and the legal holds in the same DbContext. GDPR Art. 17(1) with the
/// exception of Art. 17(3)(b), and Art. 5(1)(f): the destroyed keys must be gone, not merely unlisted.
/// </summary>
public abstract class ErasureOnDatabaseTests
{
    protected const string Erased = "cust-erased";

    protected static readonly string[] Subjects = ["cust-a", "cust-b", Erased, "cust-c"];

    protected static readonly string[] DestroyedScopes = ["chat", "default", "marketing"];

    /// <summary>Seeds every subject with a value in each of the four scopes, erases one, and returns what was seen.</summary>
    protected static async Task<Erasure> SeedAndEraseAsync(ServiceProvider services, Func<SubjectPseudonym, Task<Dictionary<string, byte[]>>> readWrappedKeys)
    {
        await ContactCenterHost.CreateTablesAsync(services);
        var conversation = Guid.NewGuid();
        await services.WithContextAsync(async db =>
        {
            foreach (var subject in Subjects)
            {
                db.Shoppers.Add(new Shopper
                {
                    CustomerNumber = subject,
                    NewsletterEmail = $"{subject}@example.org",
                    Interests = $"cycling, {subject}",
                    InvoiceName = $"Invoice name of {subject}",
                    InvoiceAddress = $"Keizersgracht {subject.Length}, Amsterdam",
                });
                db.ChatMessages.Add(new ChatMessage { ConversationId = conversation, SenderId = subject, Text = $"hello from {subject}" });
                db.ChatMessages.Add(new ChatMessage { ConversationId = conversation, SenderId = subject, Text = $"bye from {subject}" });
                db.CallRecordings.Add(new CallRecording { CustomerNumber = subject, Audio = [1, 2, 3, (byte)subject.Length] });
            }

            await db.SaveChangesAsync();
        });

        var keys = services.GetRequiredService<ISubjectKeyManager>();
        var pseudonyms = Subjects.ToDictionary(s => s, s => keys.GetPseudonym(s));
        var before = new Dictionary<string, Dictionary<string, byte[]>>();
        foreach (var subject in Subjects)
        {
            before[subject] = await readWrappedKeys(pseudonyms[subject]);
            Assert.Equal(["chat", "default", "marketing", "tax"], before[subject].Keys.Order(StringComparer.Ordinal));
        }

        var result = await services.GetRequiredService<IErasureService>().EraseAsync(Erased);
        return new Erasure(result, pseudonyms[Erased], before);
    }

    /// <summary>What erasure reported, and what the application reads afterwards, on the same database.</summary>
    protected static async Task AssertErasedAsIssuedAsync(ServiceProvider services, Erasure erasure)
    {
        var result = erasure.Result;
        Assert.True(result.IsComplete);
        Assert.NotNull(result.Certificate);
        Assert.Equal(DestroyedScopes, result.Scopes.Where(s => s.Status == ScopeErasureStatus.Destroyed).Select(s => s.Scope));
        var tax = Assert.Single(result.Scopes, s => s.Status == ScopeErasureStatus.Retained);
        Assert.Equal(("tax", ContactCenterHost.Day0.AddYears(7), ContactCenterHost.TaxBasis), (tax.Scope, tax.RetainedUntil, tax.LegalBasis));
        var source = Assert.Single(result.Sources);
        Assert.Equal((true, 2, 1), (source.Succeeded, source.RowsDeleted, source.ValuesReplaced)); // two chat messages; Interests

        // The erased subject reads as the replacement where there is one, the member's default where not; the
        // invoice data (Art. 17(3)(b)) still decrypts. Other subjects are untouched.
        await services.WithContextAsync(async db =>
        {
            var shoppers = await db.Shoppers.AsNoTracking().ToDictionaryAsync(s => s.CustomerNumber);
            var erased = shoppers[Erased];
            Assert.Null(erased.NewsletterEmail);
            Assert.Equal("[erased]", erased.Interests);
            Assert.Equal(($"Invoice name of {Erased}", $"Keizersgracht {Erased.Length}, Amsterdam"), (erased.InvoiceName, erased.InvoiceAddress));
            Assert.Empty(await db.ChatMessages.Where(m => m.SenderId == Erased).ToListAsync());
            Assert.Null((await db.CallRecordings.AsNoTracking().SingleAsync(r => r.CustomerNumber == Erased)).Audio);

            foreach (var subject in Subjects.Where(s => s != Erased))
            {
                var shopper = shoppers[subject];
                Assert.Equal(($"{subject}@example.org", $"cycling, {subject}", $"Invoice name of {subject}"), (shopper.NewsletterEmail, shopper.Interests, shopper.InvoiceName));
                var texts = await db.ChatMessages.AsNoTracking().Where(m => m.SenderId == subject).Select(m => m.Text).ToListAsync();
                Assert.Equal([$"bye from {subject}", $"hello from {subject}"], texts.Order(StringComparer.Ordinal));
                Assert.Equal(new byte[] { 1, 2, 3, (byte)subject.Length }, (await db.CallRecordings.AsNoTracking().SingleAsync(r => r.CustomerNumber == subject)).Audio);
            }
        });

        // The audit trail in the same database records it, by pseudonym, and its chain holds.
        var audit = services.GetRequiredService<IAuditTrail>();
        Assert.True((await audit.VerifyAsync()).IsValid);
    }

    protected sealed record Erasure(ErasureResult Result, SubjectPseudonym Pseudonym, Dictionary<string, Dictionary<string, byte[]>> KeysBefore)
    {
        public IEnumerable<byte[]> Destroyed => DestroyedScopes.Select(s => KeysBefore[Erased][s]);

        public byte[] Retained => KeysBefore[Erased]["tax"];

        public IEnumerable<byte[]> OtherSubjects => KeysBefore.Where(p => p.Key != Erased).SelectMany(p => p.Value.Values);
    }
}

public sealed class SqliteErasureOnDatabaseTests : ErasureOnDatabaseTests
{
    // Art. 17 and Art. 5(1)(f): crypto-shredding is only as good as the deletion of the key. After the erasure, the
    // wrapped bytes of the destroyed keys are in no file of the database (main file, -wal, -shm, -journal), read
    // raw while the application still has it open.
    [Theory]
    [InlineData("wal")]
    [InlineData("delete")]
    public async Task Erase_Art17_DestroyedKeysBytesAreInNoDatabaseFile_RetainedTaxScopeStaysReadable(string journalMode)
    {
        using var database = new SqliteContactCenterDatabase(journalMode);
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        Erasure erasure;
        await using (var services = ContactCenterHost.Build(database.Configure, database.KeyRingDirectory, time))
        {
            erasure = await SeedAndEraseAsync(services, p => KeyRows.WrappedKeysAsync(new SqliteConnection(database.ConnectionString), p));

            // Whichever companions exist now (other tests clearing the shared SQLite pool may close the last
            // connection, and SQLite then folds the WAL back and deletes it): every one of them is searched.
            var files = database.ReadFiles();
            Assert.Contains(files, f => f.File == "contactcenter.db");

            foreach (var wrapped in erasure.Destroyed)
            {
                Assert.All(files, f => Assert.True(f.Bytes.AsSpan().IndexOf(wrapped) < 0, $"a destroyed key's bytes are still in {f.File}"));
            }

            // Controls: the same search finds keys that are meant to be there, so the assertion above can fail.
            Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(erasure.Retained) >= 0);
            Assert.All(erasure.OtherSubjects, k => Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(k) >= 0));
            Assert.Equal(["tax"], (await KeyRows.WrappedKeysAsync(new SqliteConnection(database.ConnectionString), erasure.Pseudonym)).Keys);

            await AssertErasedAsIssuedAsync(services, erasure);
        }

        // After a restart (cold key cache) the retained scope still decrypts from the key kept in the database.
        await using var restarted = ContactCenterHost.Build(database.Configure, database.KeyRingDirectory, time);
        var shopper = await restarted.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Erased));
        Assert.Equal(($"Invoice name of {Erased}", "[erased]", null), (shopper.InvoiceName, shopper.Interests, shopper.NewsletterEmail));
    }

}

public sealed class PostgresErasureOnDatabaseTests(PostgresKeyStoreDatabase database) : ErasureOnDatabaseTests, IClassFixture<PostgresKeyStoreDatabase>
{
    // Art. 17 and Art. 5(1)(f) on PostgreSQL: no live row holds a destroyed key. Dead tuples are the key store's
    // PurgeDeletedKeysAsync's job (VACUUM FULL, after waiting for older transactions, which other test classes run
    // on the same server; see PostgresKeyPurgeTests); after it, the table's file on disk holds the retained key and
    // none of the destroyed ones. (The server's WAL and backups are out of reach of SQL: what
    // covers them is retiring the KEK that wrapped the keys, docs/key-store.md.)
    [SkippableFact]
    public async Task Erase_Art17_DestroyedKeysLeaveNoRow_AndAfterPurgeNoBytesInTheTableFile()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync(); // skips when PostgreSQL is not configured
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, time);
        var erasure = await SeedAndEraseAsync(services, p => KeyRows.WrappedKeysAsync(new NpgsqlConnection(connectionString), p));

        Assert.Equal(["tax"], (await KeyRows.WrappedKeysAsync(new NpgsqlConnection(connectionString), erasure.Pseudonym)).Keys);
        Assert.Equal(3L, await ScalarAsync(connectionString, "SELECT count(*) FROM gdpr_key_tombstones WHERE pseudonym = @p", erasure.Pseudonym.Value));
        await AssertErasedAsIssuedAsync(services, erasure);

        Assert.True(await services.GetRequiredService<EfCoreKeyStorePurger>().PurgeDeletedKeysAsync(full: true));
        await ScalarAsync(connectionString, "CHECKPOINT", null); // the rewritten table's pages on disk (superuser, as .ci/postgres.sh sets up)
        var path = (string)(await ScalarAsync(connectionString, "SELECT pg_relation_filepath('gdpr_subject_keys')", null))!;
        var file = (byte[])(await ScalarAsync(connectionString, "SELECT pg_read_binary_file(@p)", path))!;
        Assert.All(erasure.Destroyed, wrapped => Assert.True(file.AsSpan().IndexOf(wrapped) < 0, "a destroyed key's bytes are still in the table's file"));
        Assert.True(file.AsSpan().IndexOf(erasure.Retained) >= 0, "control: the retained key was expected in the table's file");
    }


    private static async Task<object?> ScalarAsync(string connectionString, string sql, string? parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        return await command.ExecuteScalarAsync();
    }
}
