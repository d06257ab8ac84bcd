using System.Text;
using Gdpr.Internal;
using Gdpr.Keys;

namespace Gdpr.Audit;

/// <summary>
/// Something the SDK did that must be provable later (an erasure, a destroyed key, a legal hold, a sweep).
/// Carries pseudonyms, scopes, versions and counts — never a subject id or a personal-data value.
/// </summary>
/// <param name="Kind">What happened, a dotted name such as <c>erasure.completed</c>; see <see cref="AuditKinds"/>.</param>
/// <param name="Subject">The subject's pseudonym, or <see langword="null"/> when the event concerns no single subject.</param>
/// <param name="Details">Further facts as name/value pairs (scope, key version, counts), free of personal data.</param>
public sealed record AuditEvent(string Kind, SubjectPseudonym? Subject, IReadOnlyDictionary<string, string> Details)
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder);
}
