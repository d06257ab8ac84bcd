namespace Gdpr.Audit;

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

    /// <summary>A data-subject request was received (GDPR Art. 12(3): its period starts).</summary>
    public const string RequestReceived = "request.received";

    /// <summary>A data-subject request moved on: identity asked or verified, started, a right closed, extended, refused, completed or a fee recorded (detail <c>transition</c>).</summary>
    public const string RequestTransition = "request.transition";

    /// <summary>A transition of a data-subject request was refused by a rule (details <c>transition</c>, <c>rule</c>); nothing changed.</summary>
    public const string RequestTransitionRefused = "request.transition-refused";

    /// <summary>A right of a data-subject request was carried out by the SDK (details <c>right</c>, <c>reference</c> and what the export or erasure did).</summary>
    public const string RequestRightExecuted = "request.right-executed";

    /// <summary>An identity check of a data-subject request failed (detail <c>failure</c>; never the evidence).</summary>
    public const string RequestIdentityFailed = "request.identity-failed";
}
