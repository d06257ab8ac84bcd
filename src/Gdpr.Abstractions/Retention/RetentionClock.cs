namespace Gdpr.Retention;

/// <summary>What starts a retention period's clock.</summary>
public enum RetentionClock
{
    /// <summary>When the value was collected (the key of its scope was created).</summary>
    Collection = 0,

    /// <summary>When the relationship with the subject ended (the application reports it; erasure counts as its end).</summary>
    RelationshipEnd = 1,

    /// <summary>A date the application supplies per subject (for example the invoice date).</summary>
    ApplicationDate = 2,
}
