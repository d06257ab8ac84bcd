using System.Globalization;
using System.Text;
using System.Text.Json;
using Gdpr.Samples.ContactCenter.Model;
using Gdpr.Samples.ContactCenter.Model.Legacy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>
/// A contact center's database from before the SDK (<c>legacy-seed</c>) goes under it with <c>migrate</c>, run as a
/// user would, as a process: no value is lost or changed (Art. 5(1)(d)), every value ends up encrypted under its
/// customer's keys and none is left in plaintext in the database's files (Art. 32(1)(a)), rows without a customer
/// number stop the procedure before anything is dropped (Art. 5(1)(f)), and a migrate killed at any point and run
/// again encrypts every row exactly once.
/// </summary>
public sealed class SampleMigrateTests(ITestOutputHelper log) : IDisposable
{
    private const string Db = "legacy.db";
    private static readonly string[] Tables = ["Customers", "ChatSessions", "CallRecords", "Invoices", "InterestProfiles"];
    private readonly string _folder = Directory.CreateTempSubdirectory("gdpr-sample-migrate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string DbPath => Path.Combine(_folder, Db);

    private Task<(int ExitCode, string Out, string Error)> Run(params string[] args) => SampleProcess.RunAsync(_folder, args);

    [Fact]
    public async Task LegacySeedThenMigrate_EveryValueReadsBackIdentical_NoPlaintextIsLeftInTheFiles_AndTheOrdinaryVerbsWork_Art32()
    {
        var seeded = await Run("legacy-seed", "--db", Db, "--customers", "60", "--missing-numbers", "0");
        Assert.True(seeded.ExitCode == 0, seeded.Error);
        Assert.False(Directory.Exists(DbPath + ".keys"), "a legacy database has no keys");
        var legacy = await ReadLegacyAsync();
        Assert.Equal(60, legacy.Customers.Count);

        var (exit, output, error) = await Run("migrate", "--db", Db);

        Assert.True(exit == 0, error);
        Assert.Contains("'dotnet ef migrations add AdoptGdpr'", output, StringComparison.Ordinal);
        Assert.Contains("no DropColumn", output, StringComparison.Ordinal);
        Assert.Contains("14 DropColumn", output, StringComparison.Ordinal);
        Assert.Contains("Verification:    passed", output, StringComparison.Ordinal);
        Assert.Contains("Clean-up:        done", output, StringComparison.Ordinal);
        Assert.Contains("Customer              60 row(s) encrypted in this run; 60 of 60 row(s) under the SDK", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(DbPath + ".keys", "pseudonym.key")), "migrate made the keys of the legacy database");

        AssertNoPlaintextInTheFiles(legacy);
        await AssertEveryValueReadsBackIdenticalAsync(legacy);

        var subjects = await Run("subjects", "--db", Db);
        Assert.Equal(60, subjects.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var export = await Run("export", "--db", Db, "--subject", "C-0007", "--out", "c7.json");
        Assert.True(export.ExitCode == 0, export.Error);
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "c7.json"))))
        {
            var values = json.RootElement.GetProperty("values").EnumerateArray().ToList();
            Assert.Contains(values, v => v.GetProperty("member").GetString() == "Email" && v.GetProperty("value").GetString() == legacy.Customers[7].Email);
            Assert.Contains(values, v => v.GetProperty("member").GetString() == "Transcript" && v.GetProperty("value").GetString() == legacy.Chats[7].Transcript);
        }

        var erase = await Run("erase", "--db", Db, "--subject", "C-0007", "--certificate", "c7-erasure.json");
        Assert.True(erase.ExitCode == 0, erase.Error);
        Assert.Contains("outcome  Erased", erase.Out, StringComparison.Ordinal);

        // Run again on the migrated database: nothing left to do but the clean-up, and it says so.
        var again = await Run("migrate", "--db", Db);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("Done already", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_RowsWithoutACustomerNumber_StopItBeforeTheDrop_AndOnceTheyHaveOneARunCompletes_Art5_1_f()
    {
        Assert.Equal(0, (await Run("legacy-seed", "--db", Db, "--customers", "40", "--missing-numbers", "2")).ExitCode);
        var legacy = await ReadLegacyAsync();
        var unnumbered = legacy.Customers.Values.Where(c => c.CustomerNumber is null).Select(c => c.Id).Order().ToArray();
        Assert.Equal(2, unnumbered.Length);

        var (exit, output, error) = await Run("migrate", "--db", Db);

        Assert.Equal(ExitCodes.MigrationStopped, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: 10 row(s) were refused and still hold plaintext", line, StringComparison.Ordinal);
        Assert.Contains("4. Dropping the plaintext columns: not done", output, StringComparison.Ordinal);
        // Listed by entity and key, never by value.
        foreach (var id in unnumbered)
        {
            Assert.Contains($"Customer (key {id}): no data subject id in CustomerNumber", output, StringComparison.Ordinal);
            Assert.Contains($"Invoice (key {id}): no data subject id in CustomerNumber", output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(legacy.Customers[unnumbered[0]].Email!, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("Drop migration", output, StringComparison.Ordinal);
        // The columns are still there; only the refused rows hold plaintext in them.
        Assert.Equal(2L, await ScalarAsync("SELECT COUNT(*) FROM \"Customers\" WHERE \"Email\" IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM \"Customers\" WHERE \"Email\" IS NOT NULL AND \"CustomerNumber\" IS NOT NULL"));
        Assert.Equal(2L, await ScalarAsync("SELECT COUNT(*) FROM \"Invoices\" WHERE \"BilledName\" IS NOT NULL"));

        await GiveEveryRowACustomerNumberAsync();
        var second = await Run("migrate", "--db", Db);

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("1. Adopting migration: the legacy model -> the sample's model with HasLegacyPlaintextColumns()\n   applied already", second.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Customer               2 row(s) encrypted in this run; 40 of 40 row(s) under the SDK", second.Out, StringComparison.Ordinal);
        Assert.Contains("Plaintext columns: dropped", second.Out, StringComparison.Ordinal);
        AssertNoPlaintextInTheFiles(legacy);
        await AssertEveryValueReadsBackIdenticalAsync(legacy);
    }

    /// <summary>
    /// The crash test: migrate is killed (SIGKILL) at random points of the encryption pass, several times, and
    /// then run to completion. A row's envelope, once written, never changes (nothing is encrypted twice), every run
    /// continues where the last one was, and at the end every value reads back identical.
    /// </summary>
    [Fact]
    public async Task Migrate_KilledAtRandomPoints_AndRunAgain_EncryptsEveryRowExactlyOnce_AndLosesNothing()
    {
        Assert.Equal(0, (await Run("legacy-seed", "--db", Db, "--customers", "1000", "--missing-numbers", "0")).ExitCode);
        var legacy = await ReadLegacyAsync();
        var seed = Random.Shared.Next();
        log.WriteLine($"crash test seed: {seed} (to replay, put it in place of Random.Shared.Next())");
        var random = new Random(seed);
        var envelopes = new Dictionary<(string Table, long Id), byte[]>();
        var kills = 0;

        for (var run = 0; run < 4; run++)
        {
            // 5,000 rows in batches of 100: 50 progress lines in all; each run is killed after a few of them and a
            // random moment more, inside a batch or between two.
            var killAfterLines = random.Next(1, 10);
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 150));
            if (!await RunAndKillAsync(killAfterLines, delay))
            {
                log.WriteLine($"run {run + 1} finished before the kill");
                break;
            }

            kills++;
            var now = await ReadEnvelopesAsync();
            log.WriteLine($"run {run + 1}: killed {delay.TotalMilliseconds:F0} ms after progress line {killAfterLines}; {now.Count} of 5000 rows encrypted");
            foreach (var (row, envelope) in envelopes)
            {
                Assert.True(now.TryGetValue(row, out var current) && current.AsSpan().SequenceEqual(envelope), $"{row.Table} {row.Id}: its envelope changed or vanished after a kill (encrypted twice?)");
            }

            Assert.True(now.Count > envelopes.Count, "every run committed at least one batch before it was killed, and the next continued from there");
            envelopes = now;
        }

        Assert.True(kills >= 2, $"the test killed migrate only {kills} time(s)");
        var (exit, output, error) = await Run("migrate", "--db", Db);
        Assert.True(exit == 0, error);
        Assert.Contains("Verification:    passed", output, StringComparison.Ordinal);

        var final = await ReadEnvelopesAsync();
        Assert.Equal(5 * 1000, final.Count);
        foreach (var (row, envelope) in envelopes)
        {
            Assert.True(final[row].AsSpan().SequenceEqual(envelope), $"{row.Table} {row.Id}: encrypted again by the last run");
        }

        await AssertEveryValueReadsBackIdenticalAsync(legacy);
        AssertNoPlaintextInTheFiles(legacy, nth: 25);
    }

    /// <summary>Runs migrate and kills it after its <paramref name="lines"/>-th progress line and <paramref name="delay"/>; false when it ended first.</summary>
    private async Task<bool> RunAndKillAsync(int lines, TimeSpan delay)
    {
        string[] args = ["migrate", "--db", Db, "--batch-size", "100"];
        using var process = SampleProcess.Start(_folder, args);
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains(" rows/s", StringComparison.Ordinal) && ++seen == lines)
            {
                // Not a measurement: only a random point for the kill, inside the next batch or after it.
                await Task.Delay(delay);
                if (process.HasExited)
                {
                    break;
                }

                process.Kill(); // SIGKILL: no clean-up in the sample runs
                await SampleProcess.WaitAsync(process, args);
                return true;
            }
        }

        await SampleProcess.WaitAsync(process, args);
        Assert.True(process.ExitCode == 0, await stderr);
        return false;
    }

    private async Task<LegacyRows> ReadLegacyAsync()
    {
        await using var db = new LegacyContactCenterDb(new DbContextOptionsBuilder<LegacyContactCenterDb>().UseSqlite(ConnectionString).Options);
        return new LegacyRows(
            await db.Customers.AsNoTracking().ToDictionaryAsync(r => r.Id),
            await db.ChatSessions.AsNoTracking().ToDictionaryAsync(r => r.Id),
            await db.CallRecords.AsNoTracking().ToDictionaryAsync(r => r.Id),
            await db.Invoices.AsNoTracking().ToDictionaryAsync(r => r.Id),
            await db.InterestProfiles.AsNoTracking().ToDictionaryAsync(r => r.Id));
    }

    /// <summary>Every row of every table, read through the application's own context (the adapter decrypts), equals the legacy row.</summary>
    private async Task AssertEveryValueReadsBackIdenticalAsync(LegacyRows legacy)
    {
        await using var app = await ContactCenterApp.OpenAsync(DbPath, TextWriter.Null, create: false);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ContactCenterDb>>().CreateDbContextAsync();

        await AssertSameRowsAsync(db.Customers, legacy.Customers, r => r.Id, o => (Number(o.Id, o.CustomerNumber), o.FullName, o.Address, o.Phone, o.Email, o.DateOfBirth), r => (r.CustomerNumber, r.FullName, r.Address, r.Phone, r.Email, r.DateOfBirth));
        await AssertSameRowsAsync(db.ChatSessions, legacy.Chats, r => r.Id, o => (Number(o.Id, o.CustomerNumber), o.StartedAt, o.WebsiteCookieId, o.IpAddress, o.Transcript), r => (r.CustomerNumber, r.StartedAt, r.WebsiteCookieId, r.IpAddress, r.Transcript));
        await AssertSameRowsAsync(db.CallRecords, legacy.Calls, r => r.Id, o => (Number(o.Id, o.CustomerNumber), o.CalledAt, o.DurationSeconds, o.CallerNumber, Convert.ToBase64String(o.Recording!)), r => (r.CustomerNumber, r.CalledAt, r.DurationSeconds, r.CallerNumber, Convert.ToBase64String(r.Recording!)));
        await AssertSameRowsAsync(db.Invoices, legacy.Invoices, r => r.Id, o => (Number(o.Id, o.CustomerNumber), o.InvoiceNumber, o.InvoiceDate, o.BilledName, o.BillingAddress, o.Amount), r => (r.CustomerNumber, r.InvoiceNumber, r.InvoiceDate, r.BilledName, r.BillingAddress, r.Amount));
        await AssertSameRowsAsync(db.InterestProfiles, legacy.Profiles, r => r.Id, o => (Number(o.Id, o.CustomerNumber), o.Interests), r => (r.CustomerNumber, r.Interests));
    }

    /// <summary>
    /// The table holds exactly the legacy rows, each with the same values (compared as <typeparamref name="TValues"/>);
    /// a difference names the entity and id, never the values: they stand for personal data.
    /// </summary>
    private static async Task AssertSameRowsAsync<TRow, TLegacy, TValues>(IQueryable<TRow> rows, Dictionary<int, TLegacy> legacy, Func<TRow, int> id, Func<TLegacy, TValues> expected, Func<TRow, TValues> actual)
        where TRow : class
    {
        var read = await rows.AsNoTracking().ToListAsync();
        Assert.Equal(legacy.Count, read.Count);
        foreach (var row in read)
        {
            Assert.True(legacy.TryGetValue(id(row), out var old) && EqualityComparer<TValues>.Default.Equals(expected(old), actual(row)), $"{typeof(TRow).Name} {id(row)} does not read back identical");
        }
    }

    /// <summary>The customer number a legacy row has, or the one <see cref="GiveEveryRowACustomerNumberAsync"/> gave it.</summary>
    private static string Number(int id, string? legacy) => legacy ?? $"C-{id:D4}";

    /// <summary>
    /// The database file and its WAL (and journal, if any) hold none of the legacy plaintext: every personal value of
    /// six characters or more, every birth date as SQLite stored it, every recording; of every row, or of every
    /// <paramref name="nth"/> customer's rows on a larger database (each value is a search through all the bytes).
    /// </summary>
    private void AssertNoPlaintextInTheFiles(LegacyRows legacy, int nth = 1)
    {
        SqliteConnection.ClearAllPools();
        var files = new[] { DbPath, DbPath + "-wal", DbPath + "-journal" }.Where(File.Exists).Select(File.ReadAllBytes).ToList();
        var all = files.SelectMany(f => f).ToArray();
        Assert.True(all.AsSpan().IndexOf("C-0001"u8) >= 0, "the customers' rows are in the bytes read (their numbers stay in clear)");

        bool Picked(int id) => id % nth == 0;
        var strings = legacy.Customers.Values.Where(c => Picked(c.Id)).SelectMany(c => new[] { c.FullName, c.Address, c.Phone, c.Email, c.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) })
            .Concat(legacy.Chats.Values.Where(c => Picked(c.Id)).SelectMany(c => new[] { c.WebsiteCookieId, c.IpAddress, c.Transcript }))
            .Concat(legacy.Calls.Values.Where(c => Picked(c.Id)).Select(c => c.CallerNumber))
            .Concat(legacy.Invoices.Values.Where(i => Picked(i.Id)).SelectMany(i => new[] { i.BilledName, i.BillingAddress }))
            .Concat(legacy.Profiles.Values.Where(p => Picked(p.Id)).Select(p => p.Interests))
            .OfType<string>().Where(s => s.Length >= 6).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(strings.Count > legacy.Customers.Count / nth * 5, "the values looked for");
        foreach (var value in strings)
        {
            Assert.True(all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"the database files hold a legacy plaintext value ({value.Length} characters)");
        }

        foreach (var call in legacy.Calls.Values.DistinctBy(c => Convert.ToBase64String(c.Recording!)))
        {
            Assert.True(all.AsSpan().IndexOf(call.Recording.AsSpan(44)) < 0, $"the database files hold the plaintext recording of call {call.Id}");
        }
    }

    private async Task GiveEveryRowACustomerNumberAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var table in Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE \"{table}\" SET \"CustomerNumber\" = printf('C-%04d', \"Id\") WHERE \"CustomerNumber\" IS NULL";
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Every row's personal-data column that holds envelopes, by table and id, read with plain SQL.</summary>
    private async Task<Dictionary<(string Table, long Id), byte[]>> ReadEnvelopesAsync()
    {
        var envelopes = new Dictionary<(string, long), byte[]>();
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var table in Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT \"Id\", \"PersonalData$gdpr\" FROM \"{table}\" WHERE \"PersonalData$gdpr\" IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                envelopes[(table, reader.GetInt64(0))] = (byte[])reader[1];
            }
        }

        return envelopes;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = DbPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();

    private sealed record LegacyRows(
        Dictionary<int, LegacyCustomer> Customers,
        Dictionary<int, LegacyChatSession> Chats,
        Dictionary<int, LegacyCallRecord> Calls,
        Dictionary<int, LegacyInvoice> Invoices,
        Dictionary<int, LegacyInterestProfile> Profiles);
}
