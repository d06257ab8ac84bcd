using System.Text;
using Gdpr.Certificates;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>Erases data subjects (GDPR Art. 17) across every registered data source.</summary>
public interface IErasureService
{
    /// <summary>
    /// Erases a subject: destroys at once every scope no retention obligation or legal hold protects, records when
    /// the protected ones will be destroyed, and lets every data source delete rows, replace values and remove
    /// derived values. Idempotent: run it again after a partial failure, or after a hold is released.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="cancellationToken">Cancels the erasure; what was destroyed stays destroyed, and a new call completes it.</param>
    /// <returns>What happened to each scope and each source, with a signed certificate when nothing failed.</returns>
    ValueTask<ErasureResult> EraseAsync(string subjectId, CancellationToken cancellationToken = default);
}

/// <summary>What an erasure did to one scope.</summary>
public enum ScopeErasureStatus
{
    /// <summary>The scope's key is destroyed (now, or by an earlier erasure or sweep): its values are unreadable everywhere.</summary>
    Destroyed = 0,

    /// <summary>A legal obligation keeps the scope until <see cref="ScopeErasureOutcome.RetainedUntil"/> (GDPR Art. 17(3)(b)); the sweeper destroys it then.</summary>
    Retained = 1,

    /// <summary>A legal hold keeps the scope (GDPR Art. 17(3)(e)); it is destroyed once every hold is released.</summary>
    Held = 2,

    /// <summary>Destroying the key failed; the scope is still readable. Run the erasure again.</summary>
    Failed = 3,

    /// <summary>
    /// A data source holds values of the scope, but the key store has neither a key nor a tombstone of it for this
    /// subject's pseudonym: the values were written under another pseudonym key (a wrong secret in this environment)
    /// or their keys were lost. Nothing of the scope was destroyed, the values may become readable again with the
    /// right pseudonym key, and no certificate is issued (GDPR Art. 5(2), Art. 17). Fix the key and erase again.
    /// </summary>
    KeyMissing = 4,
}

/// <summary>What an erasure did to one scope of the subject.</summary>
/// <param name="Scope">The scope (the retention policy's name).</param>
/// <param name="Status">What happened.</param>
public sealed record ScopeErasureOutcome(string Scope, ScopeErasureStatus Status)
{
    /// <summary>Gets the version of the destroyed key, when <see cref="Status"/> is <see cref="ScopeErasureStatus.Destroyed"/>.</summary>
    public int? KeyVersion { get; init; }

    /// <summary>Gets when the key was destroyed, when <see cref="Status"/> is <see cref="ScopeErasureStatus.Destroyed"/>.</summary>
    public DateTimeOffset? DestroyedAt { get; init; }

    /// <summary>Gets until when a legal obligation keeps the scope (retained, or held as well), or <see langword="null"/>.</summary>
    public DateTimeOffset? RetainedUntil { get; init; }

    /// <summary>Gets the legal basis of the obligation that keeps the scope, or <see langword="null"/>.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Gets the type name of the exception that made destruction fail (never its message, which may hold personal data).</summary>
    public string? FailureType { get; init; }
}

/// <summary>What one data source did for an erasure.</summary>
/// <param name="Source">The source's name.</param>
/// <param name="Succeeded">Whether the source completed its part.</param>
public sealed record SourceErasureOutcome(string Source, bool Succeeded)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);

    /// <summary>Gets how many rows of the subject the source held when the erasure reached it.</summary>
    public int RowsFound { get; init; }

    /// <summary>Gets the scopes of which those rows hold values (see <see cref="Gdpr.DataSources.DataSourceErasureResult.ScopesFound"/>).</summary>
    public IReadOnlySet<string> ScopesFound { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets how many rows the source deleted.</summary>
    public int RowsDeleted { get; init; }

    /// <summary>Gets how many values the source overwrote with their replacement.</summary>
    public int ValuesReplaced { get; init; }

    /// <summary>Gets the type name of the exception the source threw (never its message, which may hold personal data).</summary>
    public string? FailureType { get; init; }
}

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
