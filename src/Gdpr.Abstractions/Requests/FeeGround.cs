namespace Gdpr.Requests;

/// <summary>The only grounds on which a fee may be charged; otherwise handling a request is free (GDPR Art. 12(5)).</summary>
public enum FeeGround
{
    /// <summary>A reasonable fee for a manifestly unfounded or excessive request (Art. 12(5)(a)).</summary>
    ManifestlyUnfoundedOrExcessive = 1,

    /// <summary>A reasonable fee for further copies of the data asked for in an access request (Art. 15(3)).</summary>
    FurtherCopies = 2,
}
