namespace Gdpr.Storage.EfCore;

/// <summary>What a <see cref="LegacyPlaintextMigration{TContext}.EncryptAsync"/> pass did.</summary>
/// <param name="RowsEncrypted">Rows whose plaintext was encrypted and emptied.</param>
/// <param name="RefusedRows">
/// Rows left as they were because they have no data subject id, as "entity (key …)" (the key withheld when it holds
/// the subject id); give them one and run the pass again.
/// </param>
public sealed record LegacyEncryptionResult(long RowsEncrypted, IReadOnlyList<string> RefusedRows);
