using System.Text;
using Gdpr.Certificates;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>The result of erasing one subject.</summary>
public sealed record ErasureResult
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>Gets the subject's pseudonym.</summary>
    public required SubjectPseudonym Subject { get; init; }

    /// <summary>Gets when the erasure ran.</summary>
    public required DateTimeOffset ErasedAt { get; init; }

    /// <summary>Gets what happened to each scope the subject has or had, in ordinal order of scope.</summary>
    public required IReadOnlyList<ScopeErasureOutcome> Scopes { get; init; }

    /// <summary>Gets what each data source did, in ordinal order of name.</summary>
    public required IReadOnlyList<SourceErasureOutcome> Sources { get; init; }

    /// <summary>Gets the subject's active legal holds; while any is active nothing is destroyed.</summary>
    public required IReadOnlyList<LegalHold> Holds { get; init; }

    /// <summary>Gets the audit entry that records this erasure.</summary>
    public long AuditSequence { get; init; }

    /// <summary>Gets the hash of that audit entry, which the certificate quotes to tie it to the audit chain.</summary>
    public string? AuditHash { get; init; }

    /// <summary>
    /// Gets whether the destroyed keys' bytes are known to be gone from the key store's files (see
    /// <see cref="KeyRemovalStatus"/>); <see cref="KeyRemovalStatus.NotApplicable"/> when nothing was destroyed.
    /// </summary>
    public KeyRemovalStatus PhysicalRemoval { get; init; }

    /// <summary>
    /// Gets the signed certificate: of the erasure when <see cref="Outcome"/> is <see cref="ErasureOutcome.Erased"/>,
    /// of the finding that nothing was there when it is <see cref="ErasureOutcome.NothingFound"/> (its
    /// <c>outcome</c> says so); <see langword="null"/> otherwise (retry, or fix the inconsistency).
    /// </summary>
    public SignedErasureCertificate? Certificate { get; init; }

    /// <summary>
    /// Gets whether every scope and every source completed (retained and held scopes count as completed), and no
    /// source holds values of a scope the key store knows nothing of.
    /// </summary>
    public bool IsComplete => Scopes.All(s => s.Status is not (ScopeErasureStatus.Failed or ScopeErasureStatus.KeyMissing)) && Sources.All(s => s.Succeeded);

    /// <summary>Gets what the erasure came to, as a whole.</summary>
    public ErasureOutcome Outcome
        => Scopes.Any(s => s.Status == ScopeErasureStatus.KeyMissing) ? ErasureOutcome.Inconsistent
            : !IsComplete ? ErasureOutcome.Partial
            : Scopes.Count == 0 && Sources.All(s => s.RowsFound == 0) ? ErasureOutcome.NothingFound
            : ErasureOutcome.Erased;
}
