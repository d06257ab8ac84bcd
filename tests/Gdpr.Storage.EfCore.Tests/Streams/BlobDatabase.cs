using System.Data.Common;
using Gdpr.Streams;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Streams;

/// <summary>An application context that keeps encrypted objects' ciphertext in its database.</summary>
public sealed class BlobContext(DbContextOptions<BlobContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddGdprBlobStore();
}

/// <summary>A real host over a real database (a SQLite file or a PostgreSQL database) whose blob store is the EF one.</summary>
internal sealed class BlobDatabase : IAsyncDisposable
{
    private readonly SqliteTempFolder? _folder;
    private readonly ServiceProvider _services;

    private BlobDatabase(string connectionString, bool postgres, SqliteTempFolder? folder)
    {
        ConnectionString = connectionString;
        IsPostgres = postgres;
        _folder = folder;
        var services = new ServiceCollection();
        services.AddDbContextFactory<BlobContext>((sp, o) => (postgres ? o.UseNpgsql(connectionString) : o.UseSqlite(connectionString)).UseGdpr(sp));
        services.AddGdpr(o => o.PseudonymKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()).UseInMemoryStores().UseEfCoreBlobStore<BlobContext>();
        _services = services.BuildServiceProvider();
        using var db = _services.GetRequiredService<IDbContextFactory<BlobContext>>().CreateDbContext();
        db.Database.EnsureCreated();
    }

    public string ConnectionString { get; }

    public bool IsPostgres { get; }

    /// <summary>Gets the SQLite file, or null on PostgreSQL.</summary>
    public string? FilePath => _folder?.PathOf("blobs.db");

    public IBlobStore Blobs => _services.GetRequiredService<IBlobStore>();

    public IEncryptedObjectStore Objects => _services.GetRequiredService<IEncryptedObjectStore>();

    public static BlobDatabase Sqlite()
    {
        var folder = new SqliteTempFolder("gdpr-blobs-");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = folder.PathOf("blobs.db"), Pooling = false, DefaultTimeout = 30 }.ToString();
        SqliteTempFolder.SetJournalMode(connectionString, "WAL");
        return new BlobDatabase(connectionString, postgres: false, folder);
    }

    public static BlobDatabase Postgres(string connectionString) => new(connectionString, postgres: true, folder: null);

    public static EncryptedObjectAddress Address(string objectId) => new("customer-42", "recordings", objectId);

    /// <summary>Counts the rows of one of the blob store's tables.</summary>
    public async Task<long> CountAsync(string table)
        => Convert.ToInt64(await ScalarAsync($"SELECT COUNT(*) FROM {table}"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The stored bytes: every chunk's data column, plus the database file and its WAL on SQLite.</summary>
    public async Task<List<byte[]>> ReadRawAsync()
    {
        var raw = new List<byte[]>();
        await using (var connection = Connect())
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT data FROM {BlobStoreModelBuilderExtensions.ChunksTableName}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                raw.Add((byte[])reader.GetValue(0));
            }
        }

        foreach (var path in FilePath is null ? [] : new[] { FilePath, FilePath + "-wal" })
        {
            if (File.Exists(path))
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await file.CopyToAsync(copy);
                raw.Add(copy.ToArray());
            }
        }

        return raw;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _folder?.Dispose();
    }

    private DbConnection Connect() => IsPostgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
