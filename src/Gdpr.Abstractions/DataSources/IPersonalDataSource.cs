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
