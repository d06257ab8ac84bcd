namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>What a row's column held for one record, as a save reads it.</summary>
internal enum StoredRecordKind : byte
{
    /// <summary>No entry: every member of the record was null.</summary>
    Absent = 0,

    /// <summary>The empty marker of an erasure (<see cref="ErasureAction.Replace"/>).</summary>
    Replaced,

    /// <summary>An envelope under a live key, decrypted.</summary>
    Decrypted,

    /// <summary>An envelope under a key version that has been destroyed.</summary>
    Destroyed,
}
