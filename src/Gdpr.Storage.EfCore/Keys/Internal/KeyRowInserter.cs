using System.Buffers;
using System.Data.Common;
using System.Text.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Inserts a batch of new key rows on the write transaction's connection: multi-row <c>INSERT</c> statements, or on
/// SQLite statements that unpack their rows from one JSON parameter.
/// </summary>
/// <remarks>
/// A save of many new subjects creates as many keys; through the change tracker each row costs as much as the
/// application's own row, which doubled the save. The statements use the model's table and column names and each
/// column's own type mapping (converters included), so the rows read back exactly as EF wrote them. One command of
/// the dialect's row count is reused for every full chunk.
/// </remarks>
internal static class KeyRowInserter
{
    // Rows per JSON statement: one statement's text stays off the large-object heap (whose allocations trigger full
    // collections), and a batch of 10,000 keys is still only a hundred statements.
    private const int JsonRowsPerStatement = 100;

    /// <param name="db">The write transaction's context.</param>
    /// <param name="records">The rows.</param>
    /// <param name="rowsPerStatement">How many rows one statement writes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task InsertAsync(DbContext db, IReadOnlyList<SubjectKeyRow> records, int rowsPerStatement, CancellationToken cancellationToken)
    {
        var (head, columns, mappings) = Describe(db);

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        DbCommand? reused = null;
        try
        {
            foreach (var chunk in records.Chunk(rowsPerStatement))
            {
                // A full chunk reuses one command and its parameters, only their values change: the statement stays
                // prepared and no parameter is created per row (a new-subject save writes as many key rows as rows).
                var full = chunk.Length == rowsPerStatement;
                var command = full
                    ? reused ??= CreateCommand(connection, transaction, head, rowsPerStatement, mappings)
                    : CreateCommand(connection, transaction, head, chunk.Length, mappings);
                for (var row = 0; row < chunk.Length; row++)
                {
                    var record = chunk[row];
                    object[] values = [record.Pseudonym, record.Scope, record.Version, record.KeyEncryptionKeyId, record.WrappedKey, record.CreatedAtUtcTicks];
                    for (var column = 0; column < values.Length; column++)
                    {
                        // Through the column's converter, as its mapping's CreateParameter would.
                        command.Parameters[(row * columns.Length) + column].Value = mappings[column].Converter?.ConvertToProvider(values[column]) ?? values[column];
                    }
                }

                try
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbException ex)
                {
                    // As a SaveChanges would report it, so the store's retry on a lost race applies.
                    throw new DbUpdateException("A key row could not be inserted (another writer may have stored the same subject and scope).", ex);
                }
                finally
                {
                    if (!ReferenceEquals(command, reused))
                    {
                        await command.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            if (reused is not null)
            {
                await reused.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// SQLite: the batch in few statements, each one's rows in one JSON parameter that <c>json_each</c> unpacks
    /// (the wrapped key as hex, <c>unhex</c> turns it back into a BLOB). Columns with a value converter go the
    /// statement-per-row way instead, since the JSON carries the rows' own values.
    /// </summary>
    /// <param name="db">The write transaction's context.</param>
    /// <param name="records">The rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task InsertFromJsonAsync(DbContext db, IReadOnlyList<SubjectKeyRow> records, CancellationToken cancellationToken)
    {
        var (head, _, mappings) = Describe(db);
        if (mappings.Any(m => m.Converter is not null))
        {
            await InsertAsync(db, records, rowsPerStatement: 1, cancellationToken).ConfigureAwait(false);
            return;
        }

        var command = db.Database.GetDbConnection().CreateCommand();
        await using var disposeCommand = command.ConfigureAwait(false);
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = head[..^"VALUES ".Length]
            + "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, unhex(value ->> 4), value ->> 5 FROM json_each(@rows)";
        var rows = command.CreateParameter();
        rows.ParameterName = "@rows";
        command.Parameters.Add(rows);

        var json = new ArrayBufferWriter<byte>(JsonRowsPerStatement * 256);
        foreach (var chunk in records.Chunk(JsonRowsPerStatement))
        {
            rows.Value = ToJson(json, chunk);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex)
            {
                throw new DbUpdateException("A key row could not be inserted (another writer may have stored the same subject and scope).", ex);
            }
        }
    }

    /// <summary>The rows as a JSON array of arrays (pseudonym, scope, version, KEK id, wrapped key in hex, created-at ticks).</summary>
    private static string ToJson(ArrayBufferWriter<byte> json, SubjectKeyRow[] chunk)
    {
        json.ResetWrittenCount();
        Span<char> hex = stackalloc char[256];
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var record in chunk)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(record.Pseudonym);
                writer.WriteStringValue(record.Scope);
                writer.WriteNumberValue(record.Version);
                writer.WriteStringValue(record.KeyEncryptionKeyId);
                if (record.WrappedKey.Length * 2 <= hex.Length && Convert.TryToHexString(record.WrappedKey, hex, out var written))
                {
                    writer.WriteStringValue(hex[..written]);
                }
                else
                {
                    writer.WriteStringValue(Convert.ToHexString(record.WrappedKey));
                }

                writer.WriteNumberValue(record.CreatedAtUtcTicks);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Gdpr.Internal.StrictUtf8.Encoding.GetString(json.WrittenSpan);
    }

    /// <summary>The statement's head (<c>INSERT INTO table (columns) VALUES </c>), the columns and their type mappings, from the model.</summary>
    private static (string Head, IProperty[] Columns, RelationalTypeMapping[] Mappings) Describe(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(SubjectKeyRow))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        IProperty[] columns =
        [
            entity.FindProperty(nameof(SubjectKeyRow.Pseudonym))!,
            entity.FindProperty(nameof(SubjectKeyRow.Scope))!,
            entity.FindProperty(nameof(SubjectKeyRow.Version))!,
            entity.FindProperty(nameof(SubjectKeyRow.KeyEncryptionKeyId))!,
            entity.FindProperty(nameof(SubjectKeyRow.WrappedKey))!,
            entity.FindProperty(nameof(SubjectKeyRow.CreatedAtUtcTicks))!,
        ];
        var sql = db.GetService<ISqlGenerationHelper>();
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(table)!)))}) VALUES ";
        return (head, columns, [.. columns.Select(c => c.GetRelationalTypeMapping())]);
    }

    private static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string head, int rows, RelationalTypeMapping[] mappings)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var columns = mappings.Length;
        var text = new StringBuilder(head, head.Length + (rows * columns * 6));
        for (var row = 0; row < rows; row++)
        {
            text.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < columns; column++)
            {
                var name = "p" + ((row * columns) + column).ToString(System.Globalization.CultureInfo.InvariantCulture);
                text.Append(column == 0 ? "@" : ", @").Append(name);

                // Created with the column's own mapping (its DbType, size and provider type), the value set per row.
                command.Parameters.Add(mappings[column].CreateParameter(command, name, value: null, nullable: false));
            }

            text.Append(')');
        }

        command.CommandText = text.ToString();
        return command;
    }
}
