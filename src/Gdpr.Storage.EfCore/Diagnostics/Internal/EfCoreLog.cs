using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Diagnostics;

/// <summary>
/// Every log line of the EF Core adapter (event ids 2000-2099). Arguments are entity and member names, scopes and
/// counts — never a subject id, a value or key material.
/// </summary>
internal static partial class EfCoreLog
{
    [LoggerMessage(2001, LogLevel.Debug, "Encrypted {Count} personal-data values before SaveChanges.")]
    public static partial void ValuesEncrypted(ILogger logger, int count);

    [LoggerMessage(2002, LogLevel.Debug, "A key of scope {Scope} was not cached while materializing {Entity}; loaded it from the key store synchronously.")]
    public static partial void KeyLoadedDuringMaterialization(ILogger logger, string scope, string entity);

    [LoggerMessage(2003, LogLevel.Warning, "The encrypted value of {Entity}.{Member} (key {Key}) failed its integrity check: {Failure}.")]
    public static partial void IntegrityFailed(ILogger logger, string entity, string member, string key, IntegrityFailure failure);

    [LoggerMessage(2004, LogLevel.Information, "Erasure in data source {Source}: {RowsDeleted} rows deleted, {ValuesReplaced} values replaced.")]
    public static partial void Erased(ILogger logger, string source, int rowsDeleted, int valuesReplaced);

    // 2021: far from 2004 so that other additions to this file do not collide.
    [LoggerMessage(2021, LogLevel.Warning, "A save of {Entity} was refused: its values of scope {Scope} were read before the key of subject {Pseudonym} for that scope was destroyed.")]
    public static partial void StaleSaveRefused(ILogger logger, string entity, string scope, string pseudonym);

    [LoggerMessage(2030, LogLevel.Information, "Legacy plaintext of {Entity}: {RowsDone} of {RowsTotal} rows encrypted ({RowsPerSecond:F0} rows/s).")]
    public static partial void LegacyBatchEncrypted(ILogger logger, string entity, long rowsDone, long rowsTotal, double rowsPerSecond);

    [LoggerMessage(2031, LogLevel.Warning, "Legacy plaintext of {Entity}: {Count} rows have no data subject id and were left as they are; the pass's result lists them.")]
    public static partial void LegacyRowsRefused(ILogger logger, string entity, int count);

    [LoggerMessage(2032, LogLevel.Information, "Legacy plaintext of {Entity}: a batch met a concurrent change and is read again (attempt {Attempt}).")]
    public static partial void LegacyBatchRetried(ILogger logger, string entity, int attempt);
}
