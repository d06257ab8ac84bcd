using System.Text;
using Gdpr.Internal;

namespace Gdpr.DataSources;

/// <summary>The scopes an erasure destroys now and those it keeps.</summary>
/// <param name="DestroyedScopes">Scopes whose keys are destroyed by this erasure.</param>
/// <param name="RetainedScopes">Scopes kept because a retention obligation or a hold protects them.</param>
public sealed record DataSourceErasureRequest(IReadOnlySet<string> DestroyedScopes, IReadOnlySet<string> RetainedScopes)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}
