namespace Gdpr.DataSources;

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
