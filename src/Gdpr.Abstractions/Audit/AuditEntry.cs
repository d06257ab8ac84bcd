using System.Text;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Audit;

/// <summary>One entry of the audit trail: an <see cref="AuditEvent"/> with its place in the hash chain.</summary>
/// <param name="Sequence">The entry's position, 1 for the first; there are no gaps.</param>
/// <param name="Timestamp">When the entry was appended (UTC).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Subject">The subject's pseudonym, if any.</param>
/// <param name="Details">Further facts as name/value pairs.</param>
/// <param name="PreviousHash">The <paramref name="Hash"/> of the entry before it (lower-case hex); 64 zeros for the first.</param>
/// <param name="Hash">SHA-256 of the entry's canonical form (lower-case hex); see docs/erasure.md.</param>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Timestamp,
    string Kind,
    SubjectPseudonym? Subject,
    IReadOnlyDictionary<string, string> Details,
    string PreviousHash,
    string Hash)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}
