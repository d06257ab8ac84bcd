namespace Gdpr.Audit;

/// <summary>Why the audit chain does not verify.</summary>
public enum AuditChainBreak
{
    /// <summary>The chain verifies.</summary>
    None = 0,

    /// <summary>An entry's content no longer matches its hash: it was edited.</summary>
    EntryAltered = 1,

    /// <summary>An entry does not point at the hash of the entry before it.</summary>
    LinkBroken = 2,

    /// <summary>The sequence numbers are not 1, 2, 3, ...: an entry was removed, inserted or moved.</summary>
    SequenceBroken = 3,
}
