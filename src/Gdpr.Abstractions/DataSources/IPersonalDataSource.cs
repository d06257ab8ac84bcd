using System.Text;
using Gdpr.Internal;

namespace Gdpr.DataSources;

/// <summary>
/// A place that holds personal data of data subjects: the EF Core adapter over a DbContext, or a consumer's own
/// (a file store for call recordings, a search index, a CRM). Export and erasure go through every registered source.
/// </summary>
public interface IPersonalDataSource
{
    /// <summary>Gets the source's stable name, used in exports, erasure results and audit entries.</summary>
    string Name { get; }

    /// <summary>Streams every personal-data value the source holds about one subject, decrypted.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The values; those whose key was destroyed come as erased, never as ciphertext.</returns>
    IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies an erasure to the source's own rows: deletes rows whose policy says delete, overwrites members
    /// whose erasure action is <see cref="ErasureAction.Replace"/>, and removes derived values (indexes, caches).
    /// Destroying the keys of the scopes is the caller's job; the source must be idempotent.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="request">Which scopes are destroyed now and which are kept.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the source did.</returns>
    ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The scopes an erasure destroys now and those it keeps.</summary>
/// <param name="DestroyedScopes">Scopes whose keys are destroyed by this erasure.</param>
/// <param name="RetainedScopes">Scopes kept because a retention obligation or a hold protects them.</param>
public sealed record DataSourceErasureRequest(IReadOnlySet<string> DestroyedScopes, IReadOnlySet<string> RetainedScopes)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}

/// <summary>What one source found of the subject and what it did for an erasure.</summary>
/// <param name="Source">The source's name.</param>
/// <param name="RowsFound">
/// Rows (records, files, documents) of the subject the source held when the call began, whatever their state:
/// values readable, already erased or replaced. 0 means the source holds nothing of the subject.
/// </param>
/// <param name="ScopesFound">
/// The retention scopes of which those rows hold values (ciphertext, readable or erased; replaced values do not
/// count). The erasure checks every one against the key store: a scope with values but neither a key nor a
/// tombstone means the values were written under another pseudonym key, or their keys were lost, and no
/// certificate is issued. A source that cannot tell which scopes a row holds lists every scope the row may hold.
/// </param>
/// <param name="RowsDeleted">Rows deleted.</param>
/// <param name="ValuesReplaced">Values overwritten with their replacement.</param>
public sealed record DataSourceErasureResult(string Source, int RowsFound, IReadOnlySet<string> ScopesFound, int RowsDeleted, int ValuesReplaced);
