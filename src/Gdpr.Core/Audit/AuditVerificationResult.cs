namespace Gdpr.Audit;

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
