using System.Globalization;
using Gdpr.Samples.ContactCenter.Model;
using Gdpr.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Samples.ContactCenter;

/// <summary>
/// The <c>migrate</c> verb: docs/migrations.md's whole procedure on a legacy database (<c>legacy-seed</c>), resumable
/// at every step. Where the database is decides where it continues: plaintext columns and no personal-data column
/// (step 1 to do), both (steps 2 to 5), or only the personal-data column (done; only the clean-up runs again).
/// </summary>
internal static class LegacyMigration
{
    private enum Stage
    {
        Legacy,
        Adopted,
        Migrated,
    }

    /// <summary>Runs the procedure, writing each step and a final report to <paramref name="output"/>.</summary>
    /// <param name="databasePath">The --db path: a legacy database, or one a previous <c>migrate</c> left.</param>
    /// <param name="batchSize">Rows per transaction of the encryption pass.</param>
    /// <param name="output">Where the steps, the progress and the report go.</param>
    /// <param name="interactive">Whether the output is a terminal (an updating progress bar) or redirected (plain lines).</param>
    /// <param name="cancellationToken">Stops the pass after the batch in flight.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string databasePath, int batchSize, TextWriter output, bool interactive, CancellationToken cancellationToken)
    {
        if (batchSize is < 1 or > 100_000)
        {
            throw new SampleInputException("--batch-size must be between 1 and 100000");
        }

        var fullPath = Path.GetFullPath(databasePath);
        if (Directory.Exists(fullPath))
        {
            throw new SampleFileSystemException($"--db is a folder, not a database file: {fullPath}");
        }

        if (!File.Exists(fullPath))
        {
            throw new SampleInputException($"no database at {fullPath} (create a legacy one with 'legacy-seed')");
        }

        var plaintextColumns = PlaintextColumns();
        var stage = await ReadStageAsync(fullPath, plaintextColumns, cancellationToken);

        // A legacy database has no keys yet: they are made now, in the folder beside it. Once step 1 ran, envelopes may
        // exist, and new keys would make them unreadable: then the keys must be there.
        await using var services = await ContactCenterApp.CreateServicesAsync<AdoptingContactCenterDb>(fullPath, time: null, createKeys: stage == Stage.Legacy, cancellationToken);
        var contexts = services.GetRequiredService<IDbContextFactory<AdoptingContactCenterDb>>();
        var migration = services.GetRequiredService<LegacyPlaintextMigration<AdoptingContactCenterDb>>();
        migration.BatchSize = batchSize;
        output.WriteLine($"Taking {fullPath} under the SDK (docs/migrations.md); keys in {fullPath}.keys");

        output.WriteLine("1. Adopting migration: the legacy model -> the sample's model with HasLegacyPlaintextColumns()");
        if (stage == Stage.Legacy)
        {
            await using var legacy = LegacySeed.Open(fullPath);
            await using var adopting = await contexts.CreateDbContextAsync(cancellationToken);
            var operations = await MigrateAsync(legacy, adopting, cancellationToken);
            output.WriteLine("   computed in-process the way 'dotnet ef migrations add AdoptGdpr' scaffolds it, applied as 'dotnet ef database update' would, in one transaction:");
            output.WriteLine($"   {Describe(operations)}");
        }
        else
        {
            output.WriteLine("   applied already (the personal-data column is there)");
        }

        var progress = new MigrationProgressBar(output, interactive);
        LegacyEncryptionResult? encryption = null;
        LegacyVerificationResult? verification = null;
        if (stage != Stage.Migrated)
        {
            output.WriteLine($"2. Encrypting the plaintext under each customer's keys, {batchSize} rows a transaction (stop it at any point: migrate continues where it was)");
            try
            {
                encryption = await migration.EncryptAsync(progress, cancellationToken);
            }
            finally
            {
                progress.Finish();
            }

            output.WriteLine("3. Verifying: no plaintext column holds a value, every row reads back through the adapter");
            verification = await migration.VerifyAsync(cancellationToken);
            output.WriteLine(verification.Passed ? "   passed" : "   FAILED");
            if (encryption.RefusedRows.Count > 0 || !verification.Passed)
            {
                output.WriteLine("4. Dropping the plaintext columns: not done, the verification did not pass");
                await ReportAsync(output, contexts, progress, encryption, verification, dropped: false, cleaned: null, cancellationToken);
                Console.Error.WriteLine(encryption.RefusedRows.Count > 0
                    ? $"error: {encryption.RefusedRows.Count} row(s) were refused and still hold plaintext (listed above: no customer number, or an old value that cannot be read); fix them and run migrate again."
                    : "error: the verification did not pass (see above); the plaintext columns were kept.");
                return ExitCodes.MigrationStopped;
            }

            output.WriteLine("4. Drop migration: the model with HasLegacyPlaintextColumns() -> the sample's model");
            await using var adopting = await contexts.CreateDbContextAsync(cancellationToken);
            await using var final = new ContactCenterDb(new DbContextOptionsBuilder<ContactCenterDb>().UseSqlite(ContactCenterApp.ConnectionString(fullPath)).UseGdpr(services).Options);
            var operations = await MigrateAsync(adopting, final, cancellationToken);
            output.WriteLine("   computed in-process the way 'dotnet ef migrations add DropLegacyPlaintext' scaffolds it (with the adapter's guard before each drop),");
            output.WriteLine($"   applied as 'dotnet ef database update' would, in one transaction: {Describe(operations)}");
        }
        else
        {
            output.WriteLine("2-4. Done already: the plaintext columns were encrypted, verified and dropped by an earlier run");
        }

        output.WriteLine("5. Removing the plaintext's remnants from the file: secure_delete, VACUUM, WAL checkpoint");
        var cleaned = await migration.RemovePlaintextRemnantsAsync(cancellationToken);
        output.WriteLine(cleaned ? "   done" : "   HELD BACK: another reader kept the rewrite or the checkpoint from completing");
        await ReportAsync(output, contexts, progress, encryption, verification, dropped: true, cleaned, cancellationToken);
        if (!cleaned)
        {
            Console.Error.WriteLine("error: the clean-up did not complete (another program has the database open?); run migrate again to finish it.");
            return ExitCodes.Incomplete;
        }

        output.WriteLine("The ordinary verbs (subjects, export, erase, ...) work on it now.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The migration from one model to the next, computed the way <c>dotnet ef migrations add</c> scaffolds it (the next
    /// model's differ, with the adapter's drop guard, and SQL generator) and applied in one transaction.
    /// </summary>
    /// <remarks>
    /// <c>dotnet ef database update</c> would run SQLite's table rebuilds in three transactions (around
    /// <c>PRAGMA foreign_keys</c>), and a kill between them would leave half a schema. Here every command runs in
    /// one, so a step is applied whole or not at all and <c>migrate</c> can always continue: the pragma is a no-op
    /// inside a transaction, and the sample's tables have no foreign keys for it to matter.
    /// </remarks>
    private static async Task<IReadOnlyList<MigrationOperation>> MigrateAsync(DbContext from, DbContext to, CancellationToken cancellationToken)
    {
        var model = to.GetService<IDesignTimeModel>().Model;
        var operations = to.GetService<IMigrationsModelDiffer>().GetDifferences(from.GetService<IDesignTimeModel>().Model.GetRelationalModel(), model.GetRelationalModel());
        var commands = to.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        var connection = to.GetService<IRelationalConnection>();
        await using var transaction = await to.Database.BeginTransactionAsync(cancellationToken);
        foreach (var command in commands)
        {
            await command.ExecuteNonQueryAsync(connection, cancellationToken: CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
        return operations;
    }

    /// <summary>"3 AddColumn, 5 AlterColumn, ..." and whether any column was dropped.</summary>
    private static string Describe(IReadOnlyList<MigrationOperation> operations)
    {
        var kinds = operations.GroupBy(o => o is SqlOperation ? "guard (SQL)" : o.GetType().Name.Replace("Operation", "", StringComparison.Ordinal))
            .Select(g => $"{g.Count()} {g.Key}");
        var drops = operations.Count(o => o is DropColumnOperation);
        return drops == 0 ? $"{string.Join(", ", kinds)}; no DropColumn" : string.Join(", ", kinds);
    }

    /// <summary>
    /// The plaintext columns of each table: those of the legacy model that the sample's model (with the adapter)
    /// no longer has, because they are personal data now in the personal-data column.
    /// </summary>
    private static Dictionary<string, string[]> PlaintextColumns()
    {
        using var legacy = LegacySeed.Open(":memory:");
        using var final = new ContactCenterDb(new DbContextOptionsBuilder<ContactCenterDb>().UseSqlite("Data Source=:memory:").UseGdprForDesignTime().Options);
        var finalTables = final.GetService<IDesignTimeModel>().Model.GetRelationalModel().Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        return legacy.GetService<IDesignTimeModel>().Model.GetRelationalModel().Tables.ToDictionary(
            t => t.Name,
            t => t.Columns.Select(c => c.Name).Except(finalTables[t.Name].Columns.Select(c => c.Name), StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>Where the database is in the procedure, from its tables' columns; every table must agree.</summary>
    private static async Task<Stage> ReadStageAsync(string fullPath, Dictionary<string, string[]> plaintextColumns, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(ContactCenterApp.ConnectionString(fullPath, SqliteOpenMode.ReadWrite));
        await connection.OpenAsync(cancellationToken);
        var stages = new Dictionary<string, Stage>(StringComparer.Ordinal);
        foreach (var (table, plaintext) in plaintextColumns)
        {
            // Fails as a database error ("no such table") when the file is not this sample's database.
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" LIMIT 0";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.Ordinal);
            stages[table] = !columns.Contains(GdprEfCore.PersonalDataColumn) ? Stage.Legacy
                : plaintext.Any(columns.Contains) ? Stage.Adopted
                : Stage.Migrated;
        }

        var distinct = stages.Values.Distinct().ToList();
        if (distinct.Count > 1)
        {
            throw new SampleDatabaseException($"the database at {fullPath} is partly migrated ({string.Join(", ", stages.Select(s => $"{s.Key}: {s.Value}"))}); restore the copy made before migrate and run it again");
        }

        return distinct[0];
    }

    private static async Task ReportAsync(TextWriter output, IDbContextFactory<AdoptingContactCenterDb> contexts, MigrationProgressBar progress, LegacyEncryptionResult? encryption, LegacyVerificationResult? verification, bool dropped, bool? cleaned, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine("Report");
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            foreach (var entity in db.Model.GetEntityTypes().Where(e => e.ClrType.Namespace == typeof(Customer).Namespace && e.GetTableName() is not null).OrderBy(e => e.ClrType.Name, StringComparer.Ordinal))
            {
                var (encrypted, rows) = await CountAsync(db, entity, cancellationToken);
                progress.RowsDone.TryGetValue(entity.ClrType.Name, out var now);
                output.WriteLine($"   {entity.ClrType.Name,-16} {now,7} row(s) encrypted in this run; {encrypted} of {rows} row(s) under the SDK");
            }
        }

        if (encryption is not null)
        {
            output.WriteLine(encryption.RefusedRows.Count == 0 ? "   Refused rows:    none" : $"   Refused rows:    {encryption.RefusedRows.Count} (by entity, key and member; never a value):");
            foreach (var row in encryption.RefusedRows)
            {
                output.WriteLine($"      {row}");
            }
        }

        if (verification is not null)
        {
            output.WriteLine($"   Verification:    {(verification.Passed ? "passed" : "failed")}");
            foreach (var problem in verification.Problems)
            {
                output.WriteLine($"      {problem}");
            }
        }

        output.WriteLine($"   Plaintext columns: {(dropped ? "dropped" : "kept (they still hold the refused rows' values)")}");
        output.WriteLine($"   Clean-up:        {cleaned switch { true => "done: the database file and its WAL no longer hold the emptied plaintext", false => "held back, run migrate again", null => "not run" }}");
        output.WriteLine("   Out of reach:    backups and copies of this file, replicas, WAL archives and file-system snapshots made before the clean-up still hold");
        output.WriteLine("                    the plaintext until they age out with your backup horizon; restore from one only into step 2 again.");
    }

    /// <summary>The rows of an entity's table with a personal-data column, and all its rows (plain SQL: no value is read).</summary>
    private static async Task<(long Encrypted, long Rows)> CountAsync(DbContext db, IEntityType entity, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(\"{GdprEfCore.PersonalDataColumn}\"), COUNT(*) FROM \"{entity.GetTableName()}\"";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
