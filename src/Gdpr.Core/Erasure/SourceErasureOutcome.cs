using System.Text;
using Gdpr.Internal;

namespace Gdpr.Erasure;

/// <summary>What one data source did for an erasure.</summary>
/// <param name="Source">The source's name.</param>
/// <param name="Succeeded">Whether the source completed its part.</param>
public sealed record SourceErasureOutcome(string Source, bool Succeeded)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>Gets how many rows of the subject the source held when the erasure reached it.</summary>
    public int RowsFound { get; init; }

    /// <summary>Gets the scopes of which those rows hold values (see <see cref="Gdpr.DataSources.DataSourceErasureResult.ScopesFound"/>).</summary>
    public IReadOnlySet<string> ScopesFound { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets how many rows the source deleted.</summary>
    public int RowsDeleted { get; init; }

    /// <summary>Gets how many values the source overwrote with their replacement.</summary>
    public int ValuesReplaced { get; init; }

    /// <summary>Gets the type name of the exception the source threw (never its message, which may hold personal data).</summary>
    public string? FailureType { get; init; }
}
