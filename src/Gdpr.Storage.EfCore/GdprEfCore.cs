using Gdpr.Storage.EfCore.Model;

namespace Gdpr.Storage.EfCore;

/// <summary>Identifies the EF Core storage adapter of the Gdpr SDK, and reads what it stores.</summary>
public static class GdprEfCore
{
    /// <summary>The name the adapter's data source reports in exports and erasure results.</summary>
    public const string SourceName = "efcore";

    /// <summary>
    /// The shadow property, and column, that holds a row's annotated members: one envelope per retention scope (owned
    /// types stored in their owner's table get a prefixed column, <c>Address_PersonalData$gdpr</c>). Read it with
    /// <c>EF.Property&lt;byte[]&gt;(entity, GdprEfCore.PersonalDataColumn)</c>.
    /// </summary>
    public const string PersonalDataColumn = PersonalDataMembers.ColumnProperty;

    /// <summary>
    /// Splits a personal-data column into its records' envelopes, for audits and migrations (docs/envelope.md,
    /// "The personal-data column"). Nothing is decrypted.
    /// </summary>
    /// <param name="column">The column's bytes; <see langword="null"/> or empty for a row without values.</param>
    /// <returns>Each record's envelope by retention scope; an empty envelope marks a record an erasure replaced.</returns>
    /// <exception cref="FormatException">The bytes are not a personal-data column (a framing that is not canonical, a scope name that is not UTF-8, a scope named twice).</exception>
    public static IReadOnlyDictionary<string, ReadOnlyMemory<byte>> ReadEnvelopes(byte[]? column)
    {
        var envelopes = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (name, envelope) in Columns.PersonalDataColumn.ReadAll(column))
        {
            string scope;
            try
            {
                scope = Gdpr.Internal.StrictUtf8.Encoding.GetString(name);
            }
            catch (System.Text.DecoderFallbackException)
            {
                // Never U+FFFD: two different invalid names would read as one scope.
                throw new FormatException("A personal-data column names a scope that is not valid UTF-8.");
            }

            if (!envelopes.TryAdd(scope, envelope))
            {
                throw new FormatException("A personal-data column names one scope twice.");
            }
        }

        return envelopes;
    }
}
