namespace Gdpr.Storage.EfCore;

/// <summary>Where a <see cref="LegacyPlaintextMigration{TContext}"/> pass is, after a batch.</summary>
/// <param name="Entity">The entity type being encrypted.</param>
/// <param name="RowsDone">Rows of it encrypted so far in this pass.</param>
/// <param name="RowsTotal">Rows of it that held plaintext when the pass reached it.</param>
/// <param name="RowsPerSecond">The pass's rate on this entity type so far.</param>
public sealed record LegacyEncryptionProgress(string Entity, long RowsDone, long RowsTotal, double RowsPerSecond);
