namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Removes what is left of destroyed keys from the key store's database storage: the dead row versions PostgreSQL
/// keeps until a vacuum, and SQLite's freed pages. Registered by <c>UseEfCoreKeyStore</c>; run it from a scheduled
/// job (docs/key-store.md, "Physical removal").
/// </summary>
/// <remarks>
/// A shred makes a key unusable at once; this is about the bytes of the wrapped key in the database files afterwards.
/// Which statements run depends on the engine (its dialect): on PostgreSQL the transaction wait and <c>VACUUM</c> come
/// from <c>UseEfCorePostgreSql()</c>.
/// </remarks>
public sealed class EfCoreKeyStorePurger
{
    private readonly EfCoreSubjectKeyStore _store;

    internal EfCoreKeyStorePurger(EfCoreSubjectKeyStore store) => _store = store;

    /// <summary>Vacuums the key table (PostgreSQL) or checkpoints and optionally vacuums the database file (SQLite).</summary>
    /// <param name="full">
    /// PostgreSQL: <c>VACUUM FULL</c>, which rewrites the table into new files (and locks it meanwhile) instead of
    /// marking the space reusable. SQLite: also <c>VACUUM</c> the whole database file.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see langword="true"/> when nothing held the purge back: on PostgreSQL, every transaction that could still see
    /// a key row deleted before the call had ended when the vacuum ran; on SQLite, the checkpoint completed.
    /// <see langword="false"/> when something did (the purge still ran, a warning names what held it back, and a later
    /// call finishes the job), and on other databases, where there is nothing provider-neutral to run.
    /// </returns>
    public Task<bool> PurgeDeletedKeysAsync(bool full = false, CancellationToken cancellationToken = default)
        => _store.PurgeDeletedKeysAsync(full, cancellationToken);
}
