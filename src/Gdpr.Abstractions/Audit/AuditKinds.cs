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
}
