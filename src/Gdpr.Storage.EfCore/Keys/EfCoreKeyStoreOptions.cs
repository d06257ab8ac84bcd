namespace Gdpr.Storage.EfCore.Keys;

/// <summary>Options of the EF Core key store.</summary>
public sealed class EfCoreKeyStoreOptions
{
    /// <summary>
    /// Gets or sets whether nodes sharing a PostgreSQL key store tell each other about shreds (PostgreSQL
    /// <c>LISTEN</c>/<c>NOTIFY</c> on channel <c>gdpr_key_shred</c>), so that every node stops reading a shredded
    /// subject within about a second. Ignored on other databases. Default <see langword="true"/>.
    /// </summary>
    public bool ShredNotifications { get; set; } = true;

    /// <summary>
    /// Gets or sets the first wait before the shred listener reconnects after losing its connection; it doubles
    /// on each failure, up to 30 seconds. Default 1 second.
    /// </summary>
    public TimeSpan ListenerReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long <see cref="EfCoreSubjectKeyStore.PurgeDeletedKeysAsync"/> waits, on PostgreSQL, for
    /// transactions that may still see deleted key rows (a long report, an idle-in-transaction session) before it
    /// vacuums anyway and returns <see langword="false"/>. <see cref="TimeSpan.Zero"/> does not wait. Default 1 minute.
    /// </summary>
    public TimeSpan PurgeWaitLimit { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets whether, on PostgreSQL, <see cref="EfCoreSubjectKeyStore.CompleteRemovalAsync"/> (called by every
    /// erasure that reports destroyed scopes and by every KEK rotation) runs
    /// <see cref="EfCoreSubjectKeyStore.PurgeDeletedKeysAsync"/> with <c>full: true</c> (<c>VACUUM FULL</c> of the key
    /// table, which locks it while it runs), and reports the removal complete when nothing held that purge back.
    /// Default <see langword="false"/>: the erasure reports removal pending, and removing dead row versions is the job
    /// of a scheduled purge. Ignored on SQLite, which always checkpoints.
    /// </summary>
    public bool PurgeOnErasure { get; set; }
}
