using System.Runtime.CompilerServices;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// What the adapter last wrote or read for one entity instance: the subject and the plaintext values its columns'
/// envelopes hold. It is how a second SaveChanges knows that nothing changed (and encrypts nothing again), and how
/// the data source knows which values came back erased.
/// </summary>
internal sealed class EntityCryptoState(string? subjectId, object?[] values, bool[] erased)
{
    private static readonly ConditionalWeakTable<object, EntityCryptoState> States = new();

    public string? SubjectId { get; } = subjectId;

    public object?[] Values { get; } = values;

    public bool[] Erased { get; } = erased;

    public static EntityCryptoState? Find(object entity) => States.TryGetValue(entity, out var state) ? state : null;

    public static void Set(object entity, EntityCryptoState state) => States.AddOrUpdate(entity, state);

    /// <summary>Copies mutable values so that an in-place change of a byte[] is seen as a change.</summary>
    public static object? Snapshot(object? value) => value is byte[] bytes ? bytes.Clone() : value;

    public static bool SameValue(object? current, object? stored)
        => current is byte[] a && stored is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(current, stored);
}
