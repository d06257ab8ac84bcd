using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Inserts a batch of new key rows with multi-row <c>INSERT</c> statements on the write transaction's connection.
/// </summary>
/// <remarks>
/// A save of many new subjects creates as many keys; through the change tracker each row costs as much as the
/// application's own row, which doubled the save. The statements use the model's table and column names and each
/// column's own type mapping (converters included), so the rows read back exactly as EF wrote them. One command of
/// the dialect's row count is reused for every full chunk.
/// </remarks>
internal static class KeyRowInserter
{
    /// <param name="db">The write transaction's context.</param>
    /// <param name="records">The rows.</param>
    /// <param name="rowsPerStatement">The dialect's <see cref="KeyStoreDialect.KeyRowsPerInsert"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task InsertAsync(DbContext db, IReadOnlyList<SubjectKeyRow> records, int rowsPerStatement, CancellationToken cancellationToken)
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
        var mappings = columns.Select(c => c.GetRelationalTypeMapping()).ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(table)!)))}) VALUES ";

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        DbCommand? reused = null;
        try
        {
            foreach (var chunk in records.Chunk(rowsPerStatement))
            {
                DbCommand command;
                if (chunk.Length == rowsPerStatement)
                {
                    command = reused ??= CreateCommand(connection, transaction, head, rowsPerStatement, columns.Length);
                }
                else
                {
                    command = CreateCommand(connection, transaction, head, chunk.Length, columns.Length);
                }

                command.Parameters.Clear();
                for (var row = 0; row < chunk.Length; row++)
                {
                    var record = chunk[row];
                    object[] values = [record.Pseudonym, record.Scope, record.Version, record.KeyEncryptionKeyId, record.WrappedKey, record.CreatedAtUtcTicks];
                    for (var column = 0; column < values.Length; column++)
                    {
                        command.Parameters.Add(mappings[column].CreateParameter(command, ParameterName(row, column, columns.Length), values[column], nullable: false));
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

    private static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string head, int rows, int columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var text = new StringBuilder(head, head.Length + (rows * columns * 6));
        for (var row = 0; row < rows; row++)
        {
            text.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < columns; column++)
            {
                text.Append(column == 0 ? "@" : ", @").Append(ParameterName(row, column, columns));
            }

            text.Append(')');
        }

        command.CommandText = text.ToString();
        return command;
    }

    private static string ParameterName(int row, int column, int columns)
        => "p" + ((row * columns) + column).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
