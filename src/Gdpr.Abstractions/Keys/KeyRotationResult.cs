using System.Text;
using Gdpr.Internal;

namespace Gdpr.Keys;

/// <summary>The outcome of a key-encryption-key rotation.</summary>
/// <param name="NewKeyId">The id of the new active KEK.</param>
/// <param name="RetiredKeyIds">The KEKs retired.</param>
/// <param name="RewrappedKeys">How many data keys were rewrapped.</param>
public sealed record KeyRotationResult(string NewKeyId, IReadOnlyList<string> RetiredKeyIds, int RewrappedKeys)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>
    /// Gets whether the old wrappings' bytes are known to be gone from the key store's files
    /// (<see cref="ISubjectKeyStore.CompleteRemovalAsync"/>); a rotation that rewrapped nothing reports
    /// <see cref="KeyRemovalStatus.NotApplicable"/>.
    /// </summary>
    public KeyRemovalStatus PhysicalRemoval { get; init; }
}
