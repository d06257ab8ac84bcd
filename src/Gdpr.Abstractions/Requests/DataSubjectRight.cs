namespace Gdpr.Requests;

/// <summary>A right of Chapter III (and Art. 7(3)) that a data-subject request can ask for.</summary>
public enum DataSubjectRight
{
    /// <summary>Access to the data and the information about its processing (GDPR Art. 15).</summary>
    Access = 1,

    /// <summary>Rectification of inaccurate data (Art. 16).</summary>
    Rectification = 2,

    /// <summary>Erasure (Art. 17).</summary>
    Erasure = 3,

    /// <summary>Restriction of processing (Art. 18).</summary>
    Restriction = 4,

    /// <summary>Data portability (Art. 20).</summary>
    Portability = 5,

    /// <summary>Objection to processing (Art. 21); against direct marketing it is absolute (Art. 21(3)).</summary>
    Objection = 6,

    /// <summary>Withdrawal of consent (Art. 7(3)).</summary>
    ConsentWithdrawal = 7,
}
