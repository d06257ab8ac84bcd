namespace Gdpr.Requests;

/// <summary>Why a request may be refused as a whole (GDPR Art. 12(5)(b)); the controller bears the burden of proof.</summary>
public enum RefusalGround
{
    /// <summary>The request is manifestly unfounded.</summary>
    ManifestlyUnfounded = 1,

    /// <summary>The request is excessive, in particular because of its repetitive character.</summary>
    Excessive = 2,
}
