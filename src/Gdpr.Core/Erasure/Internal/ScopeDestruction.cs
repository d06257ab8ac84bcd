using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>What <see cref="ScopeDestroyer.Batch.DestroyAsync"/> did to one scope.</summary>
/// <param name="Scope">The scope.</param>
/// <param name="Status">What happened.</param>
/// <param name="Tombstone">The store's evidence of the destruction, when known.</param>
/// <param name="FailureType">The exception's type name when <paramref name="Status"/> is <see cref="ScopeDestructionStatus.Failed"/>.</param>
internal sealed record ScopeDestruction(string Scope, ScopeDestructionStatus Status, KeyTombstone? Tombstone, string? FailureType);

/// <summary>The result kinds of <see cref="ScopeDestroyer.Batch.DestroyAsync"/>.</summary>
internal enum ScopeDestructionStatus
{
    /// <summary>This step shredded the key.</summary>
    Destroyed,

    /// <summary>No live key: destroyed before (its tombstone is known when the batch confirms it).</summary>
    AlreadyDestroyed,

    /// <summary>Neither a key nor a tombstone (only when the batch confirms).</summary>
    NotFound,

    /// <summary>Shredding failed; the scope is still readable.</summary>
    Failed,
}
