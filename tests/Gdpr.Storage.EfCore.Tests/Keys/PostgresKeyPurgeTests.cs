using System.Security.Cryptography;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>
/// <see cref="EfCoreSubjectKeyStore.PurgeDeletedKeysAsync"/> on PostgreSQL (docs/key-store.md). A deleted key row
/// stays in the table's file as a dead row version; VACUUM must keep it while any transaction that may still see it
/// runs, and VACUUM FULL then copies it into the new file. The purge waits for those transactions, so that when it
/// reports success the destroyed key is gone from the file: GDPR Art. 17(1), and Art. 5(1)(f) (no copy left to leak).
/// </summary>
public sealed class PostgresKeyPurgeTests(PostgresKeyStoreDatabase database) : IClassFixture<PostgresKeyStoreDatabase>
{
    private const string Scope = "default";

    /// <summary>The application name of the purge under test's sessions, to find it in pg_stat_activity.</summary>
    private const string WaitingPurge = "gdpr-test-waiting-purge";

    /// <summary>
    /// Waits until the purge has looked at the running transactions, found itself held back and gone to sleep
    /// (server-side pg_sleep between looks): the server's own signal that the purge is waiting. The loop runs on the
    /// server, bounded by a statement timeout.
    /// </summary>
    private static async Task WaitUntilThePurgeSleepsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SET statement_timeout = '30s';
            DO $$
            BEGIN
                WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '{WaitingPurge}' AND wait_event = 'PgSleep') LOOP
                    PERFORM pg_stat_clear_snapshot();
                    PERFORM pg_sleep(0.01);
                END LOOP;
            END $$;
            """,
            connection);
        await command.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task Purge_WaitsForAnOlderTransactionInAnotherDatabase_ThenTheDestroyedKeyIsGoneFromTheFile()
    {
        var connectionString = database.ConnectionString;

        // A write transaction in another database of the same server, begun before the shred (what other test classes,
        // or other applications, do). Its transaction id becomes the xmin of the vacuum's own snapshot.
        await using var other = new NpgsqlConnection(await database.CreateEmptyDatabaseAsync());
        await other.OpenAsync();
        await using var older = await other.BeginTransactionAsync();
        await using (var assignXid = new NpgsqlCommand("SELECT pg_current_xact_id()", other, older))
        {
            await assignXid.ExecuteScalarAsync();
        }

        await using var withoutWaiting = TestHosts.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, keyStore: o => o.PurgeWaitLimit = TimeSpan.Zero);
        var waitingConnection = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = WaitingPurge }.ConnectionString;
        await using var waiting = TestHosts.Build(o => o.UseNpgsql(waitingConnection), database.KeyRingDirectory, keyStore: o => o.PurgeWaitLimit = TimeSpan.FromMinutes(1));
        var wrapped = await AddAndShredKeyAsync(waiting.GetRequiredService<EfCoreSubjectKeyStore>());
        Assert.True(await TableFileContainsAsync(wrapped), "control: a deleted row version stays in the table's file until vacuumed");

        // Control: vacuuming at once keeps the row version (it is "recently dead") and the purge says it was held back.
        Assert.False(await withoutWaiting.GetRequiredService<EfCoreSubjectKeyStore>().PurgeDeletedKeysAsync(full: true));
        Assert.True(await TableFileContainsAsync(wrapped), "control: VACUUM FULL while an older transaction runs keeps the row version");

        var purge = waiting.GetRequiredService<EfCoreSubjectKeyStore>().PurgeDeletedKeysAsync(full: true);
        await WaitUntilThePurgeSleepsAsync(connectionString);
        Assert.False(purge.IsCompleted, "the purge must wait while the older transaction runs");

        await older.CommitAsync();

        Assert.True(await purge.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await TableFileContainsAsync(wrapped), "the destroyed key's bytes are still in the table's file");
    }

    [SkippableFact]
    public async Task Purge_HeldBackPastItsLimit_ReturnsFalseAndLogsTheSession_ALaterPurgeCompletes()
    {
        var connectionString = database.ConnectionString;

        // A long report in the key store's own database: a repeatable-read snapshot taken before the shred.
        await using var report = new NpgsqlConnection(connectionString);
        var (snapshot, reportPid) = await BeginReportAsync(report);

        await using var services = TestHosts.Build(
            o => o.UseNpgsql(connectionString),
            database.KeyRingDirectory,
            keyStore: o => o.PurgeWaitLimit = TimeSpan.FromMilliseconds(500),
            configureServices: s => s.AddLogging(b => b.AddFakeLogging()));
        var store = services.GetRequiredService<EfCoreSubjectKeyStore>();
        var wrapped = await AddAndShredKeyAsync(store);

        Assert.False(await store.PurgeDeletedKeysAsync(full: true));
        Assert.True(await TableFileContainsAsync(wrapped), "control: the report's snapshot may still see the deleted row");
        var warning = Assert.Single(services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 2111);
        Assert.Equal(LogLevel.Warning, warning.Level);
        var sessions = Assert.Single(warning.StructuredState!, p => p.Key == "Sessions").Value!;
        Assert.Contains(reportPid.ToString(System.Globalization.CultureInfo.InvariantCulture), sessions.Split(", "));

        await snapshot.CommitAsync();

        // The usual wait for the later purge: other tests on the shared server may have transactions of their own that
        // began before it, and 500 ms would then say "held back" again, rightly (the CI simulation of 2026-12-04 did).
        services.GetRequiredService<IOptions<EfCoreKeyStoreOptions>>().Value.PurgeWaitLimit = TimeSpan.FromMinutes(1);
        Assert.True(await store.PurgeDeletedKeysAsync(full: true));
        Assert.False(await TableFileContainsAsync(wrapped), "the destroyed key's bytes are still in the table's file");
    }

    [SkippableFact]
    public async Task Purge_Cancelled_WhileWaiting_Throws()
    {
        var connectionString = database.ConnectionString;
        await using var report = new NpgsqlConnection(connectionString);
        _ = await BeginReportAsync(report);

        await using var services = TestHosts.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, keyStore: o => o.PurgeWaitLimit = TimeSpan.FromMinutes(5));
        var store = services.GetRequiredService<EfCoreSubjectKeyStore>();
        await AddAndShredKeyAsync(store);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PurgeDeletedKeysAsync(full: true, cancellation.Token));
    }

    /// <summary>Opens a repeatable-read transaction on <paramref name="report"/> and takes its snapshot; returns it and the session's pid.</summary>
    private static async Task<(NpgsqlTransaction Snapshot, int Pid)> BeginReportAsync(NpgsqlConnection report)
    {
        await report.OpenAsync();
        var snapshot = await report.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using var take = new NpgsqlCommand("SELECT pg_backend_pid()", report, snapshot);
        return (snapshot, (int)(await take.ExecuteScalarAsync())!);
    }

    private static async Task<byte[]> AddAndShredKeyAsync(EfCoreSubjectKeyStore store)
    {
        var subject = TestHosts.NewPseudonym();
        var wrapped = RandomNumberGenerator.GetBytes(96);
        await store.AddKeyAsync(new WrappedSubjectKey(subject, Scope, 1, "kek-purge", wrapped, TimeProvider.System.GetUtcNow()));
        await store.ShredAsync(subject, Scope, TimeProvider.System.GetUtcNow());
        return wrapped;
    }

    private async Task<bool> TableFileContainsAsync(byte[] needle)
    {
        // Superuser only (the CI cluster's user is one): flush to disk, then read the heap file raw.
        await database.ScalarAsync("CHECKPOINT");
        var file = (byte[])(await database.ScalarAsync("SELECT pg_read_binary_file(pg_relation_filepath('gdpr_subject_keys'))"))!;
        return file.AsSpan().IndexOf(needle) >= 0;
    }
}
