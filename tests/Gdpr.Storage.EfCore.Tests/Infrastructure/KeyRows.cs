using System.Data.Common;
using Gdpr.Keys;

namespace Gdpr.Storage.EfCore.Tests.Infrastructure;

/// <summary>Reads a key store's rows directly, on either provider, as a test inspecting what the database holds would.</summary>
internal static class KeyRows
{
    /// <summary>The subject's live wrapped data keys by scope, read from <c>gdpr_subject_keys</c>; disposes the connection.</summary>
    /// <param name="connection">A new, closed connection to the key store's database (SQLite or PostgreSQL).</param>
    /// <param name="pseudonym">The subject's pseudonym.</param>
    public static async Task<Dictionary<string, byte[]>> WrappedKeysAsync(DbConnection connection, SubjectPseudonym pseudonym)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT scope, wrapped_key FROM gdpr_subject_keys WHERE pseudonym = @p";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "p";
            parameter.Value = pseudonym.Value;
            command.Parameters.Add(parameter);
            var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys[reader.GetString(0)] = (byte[])reader.GetValue(1);
            }

            return keys;
        }
    }
}
