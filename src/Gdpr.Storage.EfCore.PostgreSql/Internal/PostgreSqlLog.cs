using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.PostgreSql;

/// <summary>
/// Log lines of the PostgreSQL key-store support (event ids of the EF key store's 2100-2199 range, kept from before the
/// package split). Arguments are pseudonyms, scopes, channels, counts and delays — never a subject id or key material.
/// </summary>
internal static partial class PostgreSqlLog
{
    [LoggerMessage(2102, LogLevel.Information, "Listening for key shreds of other nodes on PostgreSQL channel {Channel}.")]
    public static partial void ListenerConnected(ILogger logger, string channel);

    [LoggerMessage(2103, LogLevel.Warning, "The key-shred listener lost its PostgreSQL connection; reconnecting in {Delay}. Until then, shreds on other nodes are seen within KeyCache.MaxAge.")]
    public static partial void ListenerFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(2104, LogLevel.Debug, "Another node shredded the key of subject {Pseudonym}, scope {Scope}; evicted it from the cache.")]
    public static partial void ShredNotified(ILogger logger, string pseudonym, string scope);

    [LoggerMessage(2105, LogLevel.Information, "Replayed {Count} recent tombstones after the key-shred listener reconnected.")]
    public static partial void TombstonesReplayed(ILogger logger, int count);

    [LoggerMessage(2107, LogLevel.Warning, "Ignored a malformed message on channel {Channel}.")]
    public static partial void MalformedNotification(ILogger logger, string channel);

    [LoggerMessage(2109, LogLevel.Warning, "The key-shred listener did not start listening within {Timeout}; until it does, shreds on other nodes are seen within KeyCache.MaxAge.")]
    public static partial void ListenerStartTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(2111, LogLevel.Warning, "Transactions older than a vacuum (key purge or plaintext clean-up) were still running after {Limit} (PostgreSQL backend pids: {Sessions}); vacuumed anyway, and the row versions deleted before they began stay in the table until a later vacuum.")]
    public static partial void PurgeHeldBack(ILogger logger, TimeSpan limit, string sessions);
}
