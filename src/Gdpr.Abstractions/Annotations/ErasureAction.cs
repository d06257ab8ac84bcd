namespace Gdpr;

/// <summary>What an erasure of the data subject (GDPR Art. 17) does to one personal-data member.</summary>
public enum ErasureAction
{
    /// <summary>
    /// The value is destroyed with the subject's key for its retention scope (crypto-shredding) as soon as no
    /// retention obligation protects that scope. It then reads as the member's replacement value.
    /// </summary>
    DestroyKey = 0,

    /// <summary>
    /// The value is kept, readable, through an erasure until its retention policy ends (a legal obligation such as
    /// the seven-year fiscal retention, Art. 17(3)(b)); then its key is destroyed.
    /// </summary>
    /// <remarks>
    /// Only a legal obligation keeps a scope through an erasure, so this is a checked statement: the member's
    /// <see cref="PersonalDataAttribute.RetentionPolicy"/> must name a registered policy whose
    /// <c>RetentionPolicy.IsLegalObligation</c> is set. Otherwise the SDK refuses to start (a
    /// <see cref="PersonalDataModelException"/> naming type, member and policy) rather than let an erasure destroy
    /// the value at once. The protection itself is the policy's: <see cref="DestroyKey"/> members under the same
    /// policy are retained too.
    /// </remarks>
    RetainUntilExpiry = 1,

    /// <summary>The stored value is overwritten with the member's replacement value when the subject is erased.</summary>
    Replace = 2,
}
