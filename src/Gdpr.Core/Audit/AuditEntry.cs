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

/// <summary>The kinds of audit entries the SDK appends.</summary>
public static class AuditKinds
{
    /// <summary>An erasure of a subject ran to completion.</summary>
    public const string ErasureCompleted = "erasure.completed";

    /// <summary>An erasure ran but a scope or a data source failed; a retry is due.</summary>
    public const string ErasurePartial = "erasure.partial";

    /// <summary>A data key of one (subject, scope) was destroyed.</summary>
    public const string KeyShredded = "key.shredded";

    /// <summary>A legal hold was placed on a subject.</summary>
    public const string HoldPlaced = "hold.placed";

    /// <summary>A legal hold was released.</summary>
    public const string HoldReleased = "hold.released";

    /// <summary>A retention sweep ran.</summary>
    public const string SweepCompleted = "retention.sweep";
}

/// <summary>Why the audit chain does not verify.</summary>
public enum AuditChainBreak
{
    /// <summary>The chain verifies.</summary>
    None = 0,

    /// <summary>An entry's content no longer matches its hash: it was edited.</summary>
    EntryAltered = 1,

    /// <summary>An entry does not point at the hash of the entry before it.</summary>
    LinkBroken = 2,

    /// <summary>The sequence numbers are not 1, 2, 3, ...: an entry was removed, inserted or moved.</summary>
    SequenceBroken = 3,
}

/// <summary>The outcome of verifying the audit chain.</summary>
/// <param name="EntriesChecked">How many entries were read.</param>
/// <param name="FirstBrokenSequence">The sequence number at which the chain first breaks, or <see langword="null"/> when it verifies.</param>
/// <param name="Break">Why it breaks there.</param>
/// <param name="HeadHash">The hash of the last entry when the chain verifies (keep it elsewhere to detect a truncated tail).</param>
public sealed record AuditVerificationResult(long EntriesChecked, long? FirstBrokenSequence, AuditChainBreak Break, string? HeadHash)
{
    /// <summary>Gets whether every entry verified.</summary>
    public bool IsValid => FirstBrokenSequence is null;
}
