using System.Runtime.CompilerServices;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// The entities that were materialized with a record that read as erased (its envelope under a key version already
/// destroyed, or the erasure's empty marker), and that version, per record. A save of such an entity is not stale for that record: its members hold
/// the erased values, or values the application assigned since, which are new data.
/// </summary>
/// <remarks>
/// State only for entities read after an erasure (rare); the usual read keeps none (docs/efcore.md, "Saving").
/// Weak keys: the entry goes with its entity. Static, because an entity instance belongs to one application anyway.
/// </remarks>
internal static class ErasedAtRead
{
    /// <summary>Stands for the erasure's empty marker (no key version): real versions are positive <see cref="int"/>s.</summary>
    public const uint ReplacedMarker = uint.MaxValue;

    private static readonly ConditionalWeakTable<object, uint[]> Entities = new();

    /// <summary>Notes that <paramref name="entity"/> got record <paramref name="record"/> as erased under <paramref name="keyVersion"/>.</summary>
    public static void Remember(object entity, int recordCount, int record, uint keyVersion)
    {
        var versions = Entities.GetValue(entity, _ => new uint[recordCount]);
        if (record < versions.Length)
        {
            Volatile.Write(ref versions[record], keyVersion);
        }
    }

    /// <summary>Forgets record <paramref name="record"/> of <paramref name="entity"/>: a save just wrote it anew.</summary>
    public static void Forget(object entity, int record)
    {
        if (Entities.TryGetValue(entity, out var versions) && record < versions.Length)
        {
            Volatile.Write(ref versions[record], 0);
        }
    }

    /// <summary>
    /// The records <paramref name="entity"/> got as erased when it was materialized (non-zero at their index), or null
    /// when none was: what the export reports, from the one decryption of the read.
    /// </summary>
    public static uint[]? ErasedRecords(object entity) => Entities.TryGetValue(entity, out var versions) ? versions : null;

    /// <summary>Whether <paramref name="entity"/> got record <paramref name="record"/> as erased under <paramref name="keyVersion"/> when read.</summary>
    public static bool WasErased(object entity, int record, uint keyVersion)
        => keyVersion != 0 && Entities.TryGetValue(entity, out var versions) && record < versions.Length && Volatile.Read(ref versions[record]) == keyVersion;
}
