using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Log lines of the EF Core key store (event ids 2100-2199). Arguments are pseudonyms, scopes, counts and
/// delays — never a subject id or key material.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(2101, LogLevel.Warning, "The SQLite WAL checkpoint after shredding scope {Scope} could not complete (busy readers); the destroyed key's bytes stay in the -wal file until the next checkpoint.")]
    public static partial void CheckpointIncomplete(ILogger logger, string scope);

    [LoggerMessage(2102, LogLevel.Information, "Listening for key shreds of other nodes on PostgreSQL channel {Channel}.")]
    public static partial void ListenerConnected(ILogger logger, string channel);

    [LoggerMessage(2103, LogLevel.Warning, "The key-shred listener lost its PostgreSQL connection; reconnecting in {Delay}. Until then, shreds on other nodes are seen within KeyCache.MaxAge.")]
    public static partial void ListenerFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(2104, LogLevel.Debug, "Another node shredded the key of subject {Pseudonym}, scope {Scope}; evicted it from the cache.")]
    public static partial void ShredNotified(ILogger logger, string pseudonym, string scope);

    [LoggerMessage(2105, LogLevel.Information, "Replayed {Count} recent tombstones after the key-shred listener reconnected.")]
    public static partial void TombstonesReplayed(ILogger logger, int count);

    [LoggerMessage(2106, LogLevel.Debug, "Another writer stored the first key of subject {Pseudonym}, scope {Scope}; adopting it.")]
    public static partial void AddRaceLost(ILogger logger, string pseudonym, string scope);

    [LoggerMessage(2107, LogLevel.Warning, "Ignored a malformed message on channel {Channel}.")]
    public static partial void MalformedNotification(ILogger logger, string channel);

    [LoggerMessage(2108, LogLevel.Information, "Purged deleted key rows ({Provider}, full: {Full}, complete: {Complete}).")]
    public static partial void Purged(ILogger logger, string provider, bool full, bool complete);

    [LoggerMessage(2109, LogLevel.Warning, "The key-shred listener did not start listening within {Timeout}; until it does, shreds on other nodes are seen within KeyCache.MaxAge.")]
    public static partial void ListenerStartTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(2110, LogLevel.Warning, "Could not record key-encryption key {KeyId} in the KEK metadata table; the key itself was created or retired.")]
    public static partial void KeyEncryptionKeyNotRecorded(ILogger logger, string keyId, Exception exception);

    [LoggerMessage(2111, LogLevel.Warning, "Transactions older than the key purge were still running after {Limit} (PostgreSQL backend pids: {Sessions}); vacuumed anyway, and the row versions of keys deleted before they began stay in the table until a later purge.")]
    public static partial void PurgeHeldBack(ILogger logger, TimeSpan limit, string sessions);

    [LoggerMessage(2112, LogLevel.Warning, "The SQLite WAL checkpoint of the key purge could not complete (busy readers); deleted keys' bytes may stay in the -wal file until the next checkpoint.")]
    public static partial void PurgeCheckpointIncomplete(ILogger logger);

    [LoggerMessage(2113, LogLevel.Warning, "The physical removal of destroyed keys is still pending ({Provider}): readers of older snapshots or older transactions held it back; the bytes stay in the database's files until a later erasure, rotation or purge completes it.")]
    public static partial void RemovalPending(ILogger logger, string provider);
}
