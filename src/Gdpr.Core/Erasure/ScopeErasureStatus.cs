namespace Gdpr.Erasure;

/// <summary>What an erasure did to one scope.</summary>
public enum ScopeErasureStatus
{
    /// <summary>The scope's key is destroyed (now, or by an earlier erasure or sweep): its values are unreadable everywhere.</summary>
    Destroyed = 0,

    /// <summary>A legal obligation keeps the scope until <see cref="ScopeErasureOutcome.RetainedUntil"/> (GDPR Art. 17(3)(b)); the sweeper destroys it then.</summary>
    Retained = 1,

    /// <summary>A legal hold keeps the scope (GDPR Art. 17(3)(e)); it is destroyed once every hold is released.</summary>
    Held = 2,

    /// <summary>Destroying the key failed; the scope is still readable. Run the erasure again.</summary>
    Failed = 3,

    /// <summary>
    /// A data source holds values of the scope, but the key store has neither a key nor a tombstone of it for this
    /// subject's pseudonym: the values were written under another pseudonym key (a wrong secret in this environment)
    /// or their keys were lost. Nothing of the scope was destroyed, the values may become readable again with the
    /// right pseudonym key, and no certificate is issued (GDPR Art. 5(2), Art. 17). Fix the key and erase again.
    /// </summary>
    KeyMissing = 4,
}
