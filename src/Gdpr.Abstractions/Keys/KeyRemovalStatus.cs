namespace Gdpr.Keys;

/// <summary>
/// Whether the bytes of destroyed keys (and of key wrappings replaced by a KEK rotation) are known to be gone from
/// the key store's own files. Crypto-shredding holds either way (the key is gone from the store's tables); this is
/// about what the database engine may still keep in its files (GDPR Art. 5(1)(f), Art. 17).
/// </summary>
public enum KeyRemovalStatus
{
    /// <summary>
    /// The store cannot tell (a custom or in-memory store, an engine the SDK has no purge for), or nothing was destroyed.
    /// </summary>
    NotApplicable = 0,

    /// <summary>
    /// Known gone: on SQLite the WAL checkpoint after the deletes completed (the freed cells were zeroed by
    /// <c>secure_delete</c>); on PostgreSQL a complete <c>VACUUM FULL</c> ran after them.
    /// </summary>
    Removed = 1,

    /// <summary>
    /// Not yet known gone: a reader held an older snapshot, or the purge has not run (PostgreSQL). Run the erasure
    /// (or <c>PurgeDeletedKeysAsync</c>) again later; it finishes the removal.
    /// </summary>
    Pending = 2,
}
