using Gdpr.Storage.EfCore.Tests.Infrastructure;
using System.Security.Cryptography;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>A real SQLite database FILE in a temp dir of its own, with the key-store tables and a local key ring.</summary>
public sealed class SqliteKeyStoreDatabase : IDisposable
{
    private readonly SqliteTempFolder _folder = new("gdpr-keys-");

    public SqliteKeyStoreDatabase(string journalMode = "wal")
    {
        FilePath = _folder.PathOf("keys.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true }.ToString();
        SqliteTempFolder.SetJournalMode(ConnectionString, journalMode);

        using (var db = new GdprKeyStoreDbContext(new DbContextOptionsBuilder<GdprKeyStoreDbContext>().UseSqlite(ConnectionString).Options))
        {
            db.Database.EnsureCreated();
        }

        using (var connection = new SqliteConnection(ConnectionString))
        {
            // The file existed, so EnsureCreated kept our journal mode (a database it creates itself is set to WAL).
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal(journalMode, (string?)command.ExecuteScalar(), ignoreCase: true);
        }

        KeyRingDirectory = Path.Combine(Directory, "keyring");
        KeyRings.Create(KeyRingDirectory);
    }

    public string Directory => _folder.FullName;

    public string FilePath { get; }

    public string ConnectionString { get; }

    public string KeyRingDirectory { get; }

    /// <summary>The database file and whichever of its -wal, -shm and -journal companions exist.</summary>
    public IEnumerable<string> Files => new[] { FilePath, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" }.Where(File.Exists);

    public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    /// <summary>Whether <paramref name="needle"/> occurs in any of the database's files, read raw (shared, while open).</summary>
    public bool AnyFileContains(ReadOnlySpan<byte> needle)
    {
        foreach (var file in Files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>
/// A PostgreSQL database of its own per test class, created from GDPR_TEST_POSTGRES and dropped afterwards.
/// Without the variable, the tests that need it report SKIPPED with how to run them.
/// </summary>
public sealed class PostgresKeyStoreDatabase : IAsyncLifetime
{
    public const string SkipMessage = PostgresServer.HowToRun;

    private string? _adminConnectionString;
    private string? _name;
    private string? _connectionString;
    private readonly List<string> _extraDatabases = [];

    public string KeyRingDirectory { get; } = Path.Combine(Path.GetTempPath(), "gdpr-keys-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    /// <summary>Gets the connection string of this class's database; skips the test when PostgreSQL is not configured.</summary>
    public string ConnectionString
    {
        get
        {
            Skip.If(_connectionString is null, SkipMessage);
            return _connectionString!;
        }
    }

    public void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public async Task InitializeAsync()
    {
        // CI (.ci/run) sets GDPR_REQUIRE_POSTGRES=1: there a missing PostgreSQL is a failure, never a skip.
        _adminConnectionString = PostgresServer.AdminConnectionString();
        if (_adminConnectionString is null)
        {
            return;
        }

        _name = "gdpr_keys_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _name }.ToString();
        await using (var db = new GdprKeyStoreDbContext(new DbContextOptionsBuilder<GdprKeyStoreDbContext>().UseNpgsql(_connectionString).Options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        KeyRings.Create(KeyRingDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_adminConnectionString is not null && _name is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_adminConnectionString);
            await admin.OpenAsync();
            foreach (var name in _extraDatabases.Append(_name))
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        if (System.IO.Directory.Exists(KeyRingDirectory))
        {
            System.IO.Directory.Delete(KeyRingDirectory, recursive: true);
        }
    }

    /// <summary>Creates another, empty database (dropped with this one), for tests that build their own schema.</summary>
    public async Task<string> CreateEmptyDatabaseAsync()
    {
        _ = ConnectionString; // skips when PostgreSQL is not configured
        var name = _name + "_" + _extraDatabases.Count;
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _extraDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ToString();
    }

    /// <summary>Runs one SQL statement on this class's database and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }
}

/// <summary>Local key rings shared by several service providers (the "processes" of one deployment).</summary>
internal static class KeyRings
{
    /// <summary>Creates the ring and its first KEK once, so that providers started together do not each create one.</summary>
    public static void Create(string directory)
    {
        using var provider = new LocalKeyEncryptionKeyProvider(Options.Create(new LocalKeyRingOptions { Directory = directory }), TimeProvider.System);
    }
}

/// <summary>Builds the engine on the EF key store the way an application does.</summary>
internal static class TestHosts
{
    public static readonly byte[] PseudonymKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static ServiceProvider Build(
        Action<DbContextOptionsBuilder> database,
        string keyRingDirectory,
        TimeProvider? time = null,
        Action<EfCoreKeyStoreOptions>? keyStore = null,
        Action<GdprOptions>? gdpr = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        configureServices?.Invoke(services);

        services.AddGdpr(o =>
            {
                o.PseudonymKey = PseudonymKey;
                gdpr?.Invoke(o);
            }).UseInMemoryStores()
            .UseLocalKeyRing(keyRingDirectory)
            .UseEfCoreKeyStore(database, keyStore)
            .UseEfCorePostgreSql(); // a no-op on SQLite: the dialect is picked by the context's provider
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A fresh random subject id, so tests sharing a database never meet.</summary>
    public static string NewSubjectId() => "subject-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A fresh random pseudonym in the shape the engine produces (base64url of 32 bytes).</summary>
    public static SubjectPseudonym NewPseudonym()
        => new(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
}
