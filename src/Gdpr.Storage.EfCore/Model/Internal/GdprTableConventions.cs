namespace Gdpr.Storage.EfCore.Model;

/// <summary>
/// The one column convention of every table the SDK adds (key store, audit trail, legal holds, retention schedule):
/// times are UTC ticks in a <c>bigint</c> column named <c>*_utc_ticks</c>, and the subject pseudonym and the scope
/// have one length everywhere.
/// </summary>
/// <remarks>
/// Ticks, not <see cref="DateTimeOffset"/> columns: SQLite has no date type (EF stores text there, which it cannot
/// compare in SQL), and the stores filter and order by time (due schedule entries, tombstones since a reconnect).
/// Ticks compare and sort the same on every engine and read back exactly as written.
/// </remarks>
internal static class GdprTableConventions
{
    /// <summary>The longest subject pseudonym a table holds (the pseudonym itself is far shorter).</summary>
    public const int SubjectMaxLength = 128;

    /// <summary>The longest scope (retention policy name) a table holds.</summary>
    public const int ScopeMaxLength = 128;

    public static DateTimeOffset FromUtcTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
