using Gdpr.Audit;
using Microsoft.Extensions.Logging;

namespace Gdpr.Erasure;

/// <summary>
/// Log lines of erasure, retention, holds, audit and certificates (event ids 3000-3199). Arguments are pseudonyms,
/// scopes, source names, exception type names and counts — never a subject id, a value, an exception message
/// (it may quote personal data) or key material.
/// </summary>
internal static partial class ErasureLog
{
    [LoggerMessage(3000, LogLevel.Information, "Erased subject {Pseudonym}: {Destroyed} scopes destroyed, {Retained} retained, {Held} held; {FailedScopes} scopes and {FailedSources} sources failed.")]
    public static partial void ErasureFinished(ILogger logger, string pseudonym, int destroyed, int retained, int held, int failedScopes, int failedSources);

    [LoggerMessage(3001, LogLevel.Error, "Erasure of subject {Pseudonym}: data source {Source} failed with {ExceptionType}; run the erasure again.")]
    public static partial void ErasureSourceFailed(ILogger logger, string pseudonym, string source, string exceptionType);

    [LoggerMessage(3002, LogLevel.Error, "Erasure of subject {Pseudonym}: destroying scope {Scope} failed with {ExceptionType}; run the erasure again.")]
    public static partial void ErasureScopeFailed(ILogger logger, string pseudonym, string scope, string exceptionType);

    [LoggerMessage(3006, LogLevel.Error, "Erasure of subject {Pseudonym}: data sources hold values of scopes {Scopes}, but the key store has neither a key nor a tombstone of them for this pseudonym (a different pseudonym key than the one they were written with, or lost keys). Nothing of them was destroyed and no certificate is issued.")]
    public static partial void ErasureKeyMissing(ILogger logger, string pseudonym, string scopes);

    [LoggerMessage(3007, LogLevel.Warning, "Erasure of subject {Pseudonym}: completing the physical removal of destroyed keys failed with {ExceptionType}; reported as pending, and the next erasure retries.")]
    public static partial void ErasureRemovalFailed(ILogger logger, string pseudonym, string exceptionType);

    [LoggerMessage(3010, LogLevel.Information, "Retention sweep: {Destroyed} scopes destroyed, {AlreadyDestroyed} already gone, {SkippedForHolds} skipped for legal holds, {Failed} failed, in {Batches} batches.")]
    public static partial void SweepFinished(ILogger logger, int destroyed, int alreadyDestroyed, int skippedForHolds, int failed, int batches);

    [LoggerMessage(3013, LogLevel.Warning, "Retention sweep: completing the physical removal of destroyed keys failed with {ExceptionType}; reported as pending, and the next sweep or erasure retries.")]
    public static partial void SweepRemovalFailed(ILogger logger, string exceptionType);

    [LoggerMessage(3011, LogLevel.Error, "Retention sweep: destroying scope {Scope} of subject {Pseudonym} failed with {ExceptionType}; the next sweep retries.")]
    public static partial void SweepScopeFailed(ILogger logger, string pseudonym, string scope, string exceptionType);

    [LoggerMessage(3012, LogLevel.Error, "The retention sweep failed with {ExceptionType}; retrying after the interval.")]
    public static partial void SweepRunFailed(ILogger logger, string exceptionType);

    [LoggerMessage(3020, LogLevel.Information, "Placed legal hold {HoldId} on subject {Pseudonym}.")]
    public static partial void HoldPlaced(ILogger logger, string pseudonym, string holdId);

    [LoggerMessage(3021, LogLevel.Information, "Released legal hold {HoldId} of subject {Pseudonym}.")]
    public static partial void HoldReleased(ILogger logger, string pseudonym, string holdId);

    [LoggerMessage(3022, LogLevel.Warning, "Legal hold {HoldId} is kept in memory only: it is lost when the process ends, and the sweeper may then destroy what it protects. Register a persistent ILegalHoldStore (UseEfCoreLegalHolds).")]
    public static partial void EphemeralLegalHold(ILogger logger, string holdId);

    [LoggerMessage(3030, LogLevel.Warning, "The erasure-certificate signing key is kept in memory only: certificates signed now cannot be verified after a restart unless the public key was exported. Call UseCertificateSigningKey(directory).")]
    public static partial void EphemeralCertificateKey(ILogger logger);

    [LoggerMessage(3040, LogLevel.Debug, "Another writer appended to the audit trail first (attempt {Attempt}); chaining onto its entries.")]
    public static partial void AuditAppendConflict(ILogger logger, int attempt);

    [LoggerMessage(3041, LogLevel.Critical, "The audit chain is broken at sequence {Sequence}: {Break}.")]
    public static partial void AuditChainBroken(ILogger logger, long sequence, AuditChainBreak @break);
}
