using System.Collections.Frozen;
using System.Text;
using Gdpr.Internal;

namespace Gdpr.DataSources;

/// <summary>The scopes an erasure destroys now and those it keeps, with what their retention policies ask of a source.</summary>
/// <param name="DestroyedScopes">Scopes whose keys are destroyed by this erasure.</param>
/// <param name="RetainedScopes">Scopes kept because a retention obligation or a hold protects them.</param>
public sealed record DataSourceErasureRequest(IReadOnlySet<string> DestroyedScopes, IReadOnlySet<string> RetainedScopes)
{
    /// <summary>
    /// Gets the scopes of <see cref="DestroyedScopes"/> whose retention policy deletes rows on erasure
    /// (<see cref="Gdpr.Retention.RetentionPolicy.DeleteRowsOnErasure"/>): a source deletes a row when every
    /// personal-data value in it belongs to one of them, and leaves other rows to read as erased. The erasure service
    /// fills it from the configured policies, so a source needs no policy lookup of its own; empty by default.
    /// </summary>
    public IReadOnlySet<string> RowDeletingScopes { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}
