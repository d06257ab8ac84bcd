using Microsoft.Data.Sqlite;

namespace Gdpr.Storage.EfCore.Tests;

/// <summary>
/// The temp folder of one SQLite test database (its file, -wal and -shm, and a key ring beside it): the one place
/// that makes it, sets a file's journal mode, and cleans up (the pools first: they hold the file open).
/// </summary>
internal sealed class SqliteTempFolder(string prefix) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory(prefix);

    public string FullName => _directory.FullName;

    public string PathOf(string name) => Path.Combine(_directory.FullName, name);

    /// <summary>Sets the journal mode of a database file before any table exists (EF sets WAL only on a file it creates itself).</summary>
    public static void SetJournalMode(string connectionString, string journalMode)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_mode = {journalMode}";
        command.ExecuteNonQuery();
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
            // Best effort: a straggling handle on a temp dir does not change a test's outcome.
        }
    }
}
