using System.Data.Common;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.PostgreSql;

/// <summary>
/// The wait before <see cref="EfCoreSubjectKeyStore.PurgeDeletedKeysAsync"/> vacuums a PostgreSQL key table: for every
/// transaction that may still see a key row deleted before the purge (docs/key-store.md, "Running transactions").
/// </summary>
internal static class PostgresPurgeWait
{
    /// <summary>Gets how long the wait sleeps between looks at older transactions.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits until no transaction that may still see a row deleted before the call is running, so that the vacuum
    /// that follows finds those row versions dead rather than "recently dead" (which it must keep, and VACUUM FULL
    /// copies into the new file). Polls once per <see cref="PollInterval"/>; the limit is measured by the
    /// server's clock, like a lock timeout: a client timer on the application's <see cref="TimeProvider"/> would never fire
    /// under a test clock that stands still.
    /// </summary>
    /// <returns><see langword="false"/> when <paramref name="limit"/> passed first (logged as warning 2111).</returns>
    public static async Task<bool> WaitForOlderTransactionsAsync(DbContext db, TimeSpan limit, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();

        // Every transaction id assigned so far (every committed shred's included) is below the snapshot's xmax.
        long horizon;
        DateTime deadline;
        var start = connection.CreateCommand();
        await using (start.ConfigureAwait(false))
        {
            start.CommandText = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, clock_timestamp() + @limit";
            AddParameter(start, "limit", limit);
            var reader = await start.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                horizon = reader.GetInt64(0);
                deadline = reader.GetDateTime(1);
            }
        }

        // What holds a deleted row version back (PostgreSQL's ComputeXidHorizons): a transaction id older than the
        // horizon still running in ANY database (the vacuum's own snapshot takes it as its xmin), or an older snapshot
        // held by a session in THIS database. pg_stat_activity shows backend_xid/backend_xmin to every role; they are
        // 32-bit, so "older" is compared modulo 2^32 as PostgreSQL itself does. pg_snapshot_xmin also covers prepared
        // transactions, which have no session.
        var check = connection.CreateCommand();
        await using (check.ConfigureAwait(false))
        {
            check.CommandText = """
                WITH sessions AS (
                    SELECT a.pid,
                           a.datname = current_database() AS same_database,
                           ((@horizon32 - a.backend_xid::text::bigint) % 4294967296 + 4294967296) % 4294967296 BETWEEN 1 AND 2147483647 AS older_xid,
                           ((@horizon32 - a.backend_xmin::text::bigint) % 4294967296 + 4294967296) % 4294967296 BETWEEN 1 AND 2147483647 AS older_snapshot
                    FROM pg_stat_activity a
                    WHERE a.pid <> pg_backend_pid())
                SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint < @horizon
                           OR EXISTS (SELECT 1 FROM sessions WHERE same_database AND older_snapshot),
                       (SELECT string_agg(pid::text, ', ' ORDER BY pid) FROM sessions WHERE older_xid OR (same_database AND older_snapshot)),
                       clock_timestamp() >= @deadline
                """;
            AddParameter(check, "horizon", horizon);
            AddParameter(check, "horizon32", horizon % 4294967296L);
            AddParameter(check, "deadline", deadline);
            while (true)
            {
                bool held, expired;
                string? sessions;
                var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    held = reader.GetBoolean(0);
                    sessions = reader.IsDBNull(1) ? null : reader.GetString(1);
                    expired = reader.GetBoolean(2);
                }

                if (!held)
                {
                    return true;
                }

                if (expired)
                {
                    PostgreSqlLog.PurgeHeldBack(logger, limit, sessions ?? "none visible (a prepared transaction?)");
                    return false;
                }

                // Sleeps on the server: no client timer, and cancelling the token cancels the sleep.
                var seconds = PollInterval.TotalSeconds;
                await db.Database.ExecuteSqlAsync($"SELECT pg_sleep({seconds})", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
