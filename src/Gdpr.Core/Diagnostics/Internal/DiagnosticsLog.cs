using Microsoft.Extensions.Logging;

namespace Gdpr.Diagnostics;

/// <summary>
/// Every log line of the engine. Arguments are pseudonyms, scopes, versions, field identities and counts —
/// never a subject id, a value or key material.
/// </summary>
internal static partial class DiagnosticsLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Created data key version {Version} for subject {Pseudonym}, scope {Scope}.")]
    public static partial void KeyCreated(ILogger logger, string pseudonym, string scope, int version);

    [LoggerMessage(1002, LogLevel.Information, "Destroyed data key version {Version} of subject {Pseudonym}, scope {Scope}.")]
    public static partial void KeyShredded(ILogger logger, string pseudonym, string scope, int version);

    [LoggerMessage(1003, LogLevel.Information, "Key-encryption-key rotation: {Count} data keys rewrapped under {NewKeyId}; retired {RetiredCount}.")]
    public static partial void KeyEncryptionKeyRotated(ILogger logger, int count, string newKeyId, int retiredCount);

    [LoggerMessage(1004, LogLevel.Error, "The key store or key-encryption-key provider failed for scope {Scope}; failing closed.")]
    public static partial void KeyStoreFailed(ILogger logger, string scope, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "Integrity check failed for {Field} of subject {Pseudonym}: {Failure}.")]
    public static partial void IntegrityFailed(ILogger logger, string field, string pseudonym, IntegrityFailure failure);

    [LoggerMessage(1006, LogLevel.Warning, "The local key ring is kept in memory only: data encrypted now is unreadable after a restart. Call UseLocalKeyRing(directory) or register a KMS provider.")]
    public static partial void EphemeralKeyRing(ILogger logger);

    [LoggerMessage(1007, LogLevel.Information, "Retired key-encryption key {KeyId}.")]
    public static partial void KeyEncryptionKeyRetired(ILogger logger, string keyId);

    [LoggerMessage(1008, LogLevel.Warning, "In-memory {Component} in use (UseInMemoryStores): everything it holds is lost when the process ends. For tests and samples only.")]
    public static partial void InMemoryComponent(ILogger logger, string component);

    [LoggerMessage(1009, LogLevel.Warning, "The key store keeps no pseudonym-key check value: a wrong GdprOptions.PseudonymKey is not detected at start.")]
    public static partial void PseudonymKeyCheckUnsupported(ILogger logger);

    [LoggerMessage(1011, LogLevel.Warning, "The key store cannot list the key-encryption keys it uses: missing key-encryption keys are not detected at start.")]
    public static partial void KeyEncryptionKeyCheckUnsupported(ILogger logger);

    [LoggerMessage(1012, LogLevel.Critical, "The key store holds data keys wrapped under key-encryption keys the provider does not have: {MissingKeyIds}.")]
    public static partial void KeyEncryptionKeysMissing(ILogger logger, string missingKeyIds);

    [LoggerMessage(1013, LogLevel.Critical, "The pseudonym key differs from the one this key store was created with; refusing to start.")]
    public static partial void PseudonymKeyMismatch(ILogger logger);
}
