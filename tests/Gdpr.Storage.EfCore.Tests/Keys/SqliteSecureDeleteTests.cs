using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>
/// Crypto-shredding on SQLite must remove the wrapped key from the database FILES (main file, -wal, -shm, journal),
/// not just from the table: GDPR Art. 17 and Art. 5(1)(f) ("deleted data must not linger").
/// </summary>
public sealed class SqliteSecureDeleteTests
{
    private const string Scope = "default";

    [Theory]
    [InlineData("wal")]
    [InlineData("delete")]
    public async Task Shred_Art17_WrappedKeyBytesAreGoneFromEveryDatabaseFile(string journalMode)
    {
        using var database = new SqliteKeyStoreDatabase(journalMode);
        await using var services = TestHosts.Build(database.Configure, database.KeyRingDirectory);
        var subjects = await CreateKeysAsync(services, 40);
        var wrapped = ReadWrappedKeys(database);
        var shredded = subjects.Where((_, i) => i % 2 == 0).ToList();
        var kept = subjects.Except(shredded).ToList();
        var keys = services.GetRequiredService<ISubjectKeyManager>();

        foreach (var subjectId in shredded)
        {
            await keys.ShredAsync(subjectId, Scope);
        }

        // Read while the application (and its connection pool) is still running: no dispose, no extra checkpoint.
        Assert.All(shredded, s => Assert.False(database.AnyFileContains(wrapped[keys.GetPseudonym(s).Value]), "a shredded key's bytes are still in a database file"));

        // Control: the search does find the keys that were not shredded, so the assertion above can fail.
        Assert.All(kept, s => Assert.True(database.AnyFileContains(wrapped[keys.GetPseudonym(s).Value])));
        if (journalMode == "wal")
        {
            // Truncated by the checkpoint (or deleted by SQLite when the pool closed its last connection).
            Assert.True(!File.Exists(database.FilePath + "-wal") || new FileInfo(database.FilePath + "-wal").Length == 0);
        }
    }

    [Fact]
    public async Task PlainDelete_WithoutSecureDelete_LeavesWrappedKeyInTheFile()
    {
        // Why ShredAsync turns secure_delete on and checkpoints: SQLite's own DELETE keeps the bytes.
        using var database = new SqliteKeyStoreDatabase("wal");
        await using var services = TestHosts.Build(database.Configure, database.KeyRingDirectory);
        var subjects = await CreateKeysAsync(services, 4);
        var wrapped = ReadWrappedKeys(database);
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subjects[0]).Value;

        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA secure_delete = OFF; DELETE FROM gdpr_subject_keys WHERE pseudonym = $p; PRAGMA wal_checkpoint(TRUNCATE);";
            command.Parameters.AddWithValue("$p", pseudonym);
            await command.ExecuteNonQueryAsync();
        }

        Assert.True(database.AnyFileContains(wrapped[pseudonym]));
    }

    [Fact]
    public async Task PurgeDeletedKeys_Full_KeepsLiveKeysAndLeavesNoShreddedBytes()
    {
        using var database = new SqliteKeyStoreDatabase("wal");
        await using var services = TestHosts.Build(database.Configure, database.KeyRingDirectory);
        var subjects = await CreateKeysAsync(services, 6);
        var wrapped = ReadWrappedKeys(database);
        var keys = services.GetRequiredService<ISubjectKeyManager>();
        await keys.ShredAsync(subjects[0], Scope);

        Assert.True(await services.GetRequiredService<EfCoreKeyStorePurger>().PurgeDeletedKeysAsync(full: true));

        Assert.False(database.AnyFileContains(wrapped[keys.GetPseudonym(subjects[0]).Value]));
        Assert.True(!File.Exists(database.FilePath + "-wal") || new FileInfo(database.FilePath + "-wal").Length == 0);
        var encryptor = services.GetRequiredService<IFieldEncryptor>();
        var field = new FieldAddress(subjects[1], Scope, "Customer.Email");
        var envelope = await encryptor.EncryptValueAsync(field, "still readable");
        Assert.Equal("still readable", (await encryptor.DecryptValueAsync<string>(field, envelope)).Value);
    }

    /// <summary>Creates the first key of <paramref name="count"/> new subjects through the engine.</summary>
    private static async Task<List<string>> CreateKeysAsync(IServiceProvider services, int count)
    {
        var encryptor = services.GetRequiredService<IFieldEncryptor>();
        var subjects = Enumerable.Range(0, count).Select(_ => TestHosts.NewSubjectId()).ToList();
        foreach (var subjectId in subjects)
        {
            await encryptor.EncryptValueAsync(new FieldAddress(subjectId, Scope, "Customer.Email"), "someone@example.org");
        }

        return subjects;
    }

    /// <summary>Reads the wrapped key bytes straight from the table, by pseudonym.</summary>
    private static Dictionary<string, byte[]> ReadWrappedKeys(SqliteKeyStoreDatabase database)
    {
        var result = new Dictionary<string, byte[]>();
        using var connection = new SqliteConnection(database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pseudonym, wrapped_key FROM gdpr_subject_keys";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetString(0)] = (byte[])reader.GetValue(1);
        }

        Assert.NotEmpty(result);
        return result;
    }
}
