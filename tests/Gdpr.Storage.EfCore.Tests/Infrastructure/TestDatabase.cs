using System.Data.Common;
using Gdpr.Storage.EfCore.Tests.TestModel;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Infrastructure;

/// <summary>A real database for one test: a SQLite file in a temp dir, or a fresh schema on PostgreSQL.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract void Configure(DbContextOptionsBuilder options);

    public virtual async Task CreateTablesAsync(ShopContext context)
        => await context.Database.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();

    /// <summary>Bytes in which no plaintext may appear: every personal-data column, plus the files on SQLite.</summary>
    public virtual async Task<List<byte[]>> ReadRawAsync(ShopContext context)
    {
        var raw = new List<byte[]>();
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync();
        try
        {
            foreach (var entityType in context.Model.GetEntityTypes())
            {
                foreach (var property in entityType.GetProperties().Where(p => p.Name.EndsWith("$gdpr", StringComparison.Ordinal)))
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"SELECT \"{property.GetColumnName()}\" FROM \"{entityType.GetTableName()}\"";
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        if (!reader.IsDBNull(0))
                        {
                            raw.Add((byte[])reader.GetValue(0));
                        }
                    }
                }
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }

        return raw;
    }

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly SqliteTempFolder _folder = new("gdpr-ef-");
    private SqliteConnection? _keeper;

    public SqliteTestDatabase()
    {
        FilePath = _folder.PathOf("shop.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public override async Task CreateTablesAsync(ShopContext context)
    {
        await context.Database.EnsureCreatedAsync();

        // WAL mode, and one connection held open for the test so the WAL file keeps its frames (it is checked too).
        _keeper = new SqliteConnection(ConnectionString);
        await _keeper.OpenAsync();
        await using var command = _keeper.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<List<byte[]>> ReadRawAsync(ShopContext context)
    {
        var raw = await base.ReadRawAsync(context);
        foreach (var path in new[] { FilePath, FilePath + "-wal", FilePath + "-journal" })
        {
            if (File.Exists(path))
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                raw.Add(copy.ToArray());
            }
        }

        return raw;
    }

    /// <summary>Whether the WAL file exists and holds frames (so the test really looked at it).</summary>
    public bool HasWal => new FileInfo(FilePath + "-wal") is { Exists: true, Length: > 0 };

    public override async ValueTask DisposeAsync()
    {
        if (_keeper is not null)
        {
            await _keeper.DisposeAsync();
        }

        _folder.Dispose();
    }
}

public sealed class PostgresTestDatabase : TestDatabase
{
    private readonly string _admin;
    private readonly string _schema = "gdpr_ef_" + Guid.NewGuid().ToString("N");
    private bool _created;

    public PostgresTestDatabase(string connectionString)
    {
        _admin = connectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = _schema }.ToString();
    }

    public string ConnectionString { get; }

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public override async Task CreateTablesAsync(ShopContext context)
    {
        await ExecuteAsync($"CREATE SCHEMA \"{_schema}\"");
        _created = true;
        await base.CreateTablesAsync(context);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_created)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP SCHEMA \"{_schema}\" CASCADE");
        }
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
