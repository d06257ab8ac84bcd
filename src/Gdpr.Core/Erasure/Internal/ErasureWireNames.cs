using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>
/// The words an erasure's outcome and physical removal are written as, in the audit trail's summary event and in
/// erasure certificates alike: one spelling, so a verifier can match a certificate against the trail.
/// </summary>
internal static class ErasureWireNames
{
    public static string Outcome(ErasureOutcome outcome) => outcome switch
    {
        ErasureOutcome.Erased => "erased",
        ErasureOutcome.NothingFound => "nothing-found",
        ErasureOutcome.Partial => "partial",
        _ => "inconsistent",
    };

    public static string Removal(KeyRemovalStatus status) => status switch
    {
        KeyRemovalStatus.Removed => "removed",
        KeyRemovalStatus.Pending => "pending",
        _ => "not-applicable",
    };
}
