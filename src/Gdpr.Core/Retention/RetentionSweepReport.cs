using System.Text;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>What one retention sweep did.</summary>
/// <param name="SweptAt">The moment retention was judged against.</param>
/// <param name="Destroyed">Scopes whose key this sweep destroyed.</param>
/// <param name="AlreadyDestroyed">Due scopes whose key was already gone (destroyed by an erasure, another node or an earlier sweep).</param>
/// <param name="SkippedForHolds">Due scopes kept because their subject is under a legal hold (GDPR Art. 17(3)(e)).</param>
/// <param name="Failed">Due scopes whose destruction failed; the next sweep retries them.</param>
/// <param name="Batches">Batches processed.</param>
public sealed record RetentionSweepReport(DateTimeOffset SweptAt, int Destroyed, int AlreadyDestroyed, int SkippedForHolds, int Failed, int Batches)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>Gets the exception type names of the failures (at most 100), never their messages.</summary>
    public IReadOnlyList<string> FailureTypes { get; init; } = [];

    /// <summary>
    /// Gets whether the bytes of the keys this sweep destroyed are known to be gone from the key store's files
    /// (<see cref="ISubjectKeyStore.CompleteRemovalAsync"/>); <see cref="KeyRemovalStatus.NotApplicable"/> when the
    /// sweep destroyed nothing.
    /// </summary>
    public KeyRemovalStatus PhysicalRemoval { get; init; }
}
