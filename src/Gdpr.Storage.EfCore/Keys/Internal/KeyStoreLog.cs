using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Log lines of the EF Core key store (event ids 2100-2199). Arguments are pseudonyms, scopes, counts and
/// delays — never a subject id or key material.
/// </summary>
internal static partial class KeyStoreLog
{
    [LoggerMessage(2101, LogLevel.Warning, "The SQLite WAL checkpoint after shredding scope {Scope} could not complete (busy readers); the destroyed key's bytes stay in the -wal file until the next checkpoint.")]
    public static partial void CheckpointIncomplete(ILogger logger, string scope);

    [LoggerMessage(2106, LogLevel.Debug, "Another writer stored the first key of subject {Pseudonym}, scope {Scope}; adopting it.")]
    public static partial void AddRaceLost(ILogger logger, string pseudonym, string scope);

    [LoggerMessage(2114, LogLevel.Debug, "Another writer stored some of a batch of {Count} new keys first; adopting them.")]
    public static partial void BatchAddRaceLost(ILogger logger, int count);

    [LoggerMessage(2108, LogLevel.Information, "Purged deleted key rows ({Provider}, full: {Full}, complete: {Complete}).")]
    public static partial void Purged(ILogger logger, string provider, bool full, bool complete);

    [LoggerMessage(2110, LogLevel.Warning, "Could not record key-encryption key {KeyId} in the KEK metadata table; the key itself was created or retired.")]
    public static partial void KeyEncryptionKeyNotRecorded(ILogger logger, string keyId, Exception exception);

    [LoggerMessage(2112, LogLevel.Warning, "The SQLite WAL checkpoint of a purge or clean-up could not complete (busy readers); deleted rows' bytes may stay in the -wal file until the next checkpoint.")]
    public static partial void PurgeCheckpointIncomplete(ILogger logger);

    [LoggerMessage(2113, LogLevel.Warning, "The physical removal of destroyed keys is still pending ({Provider}): readers of older snapshots or older transactions held it back; the bytes stay in the database's files until a later erasure, rotation or purge completes it.")]
    public static partial void RemovalPending(ILogger logger, string provider);
}
