namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>A record as a save read it: what it was, and the key version of its envelope.</summary>
internal readonly record struct StoredRecord(StoredRecordKind Kind, uint KeyVersion);
