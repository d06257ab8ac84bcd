namespace Gdpr.Storage.EfCore.Keys;

// The rows of the key store. Internal: applications reach keys only through ISubjectKeyStore, and the model
// (table and column names, constraints) is the contract documented in docs/key-store.md.

/// <summary>A live data key of one (subject, scope), wrapped under a key-encryption key.</summary>
internal sealed class SubjectKeyRow
{
    public required string Pseudonym { get; set; }

    public required string Scope { get; set; }

    public int Version { get; set; }

    public required string KeyEncryptionKeyId { get; set; }

    public required byte[] WrappedKey { get; set; }

    /// <summary>When the key was created, in UTC ticks (the convention of every SDK table: <see cref="Model.GdprTableConventions"/>).</summary>
    public long CreatedAtUtcTicks { get; set; }
}

/// <summary>The evidence that a data key was destroyed; no key material.</summary>
internal sealed class KeyTombstoneRow
{
    public required string Pseudonym { get; set; }

    public required string Scope { get; set; }

    public int Version { get; set; }

    public long ShreddedAtUtcTicks { get; set; }
}

/// <summary>
/// A key-encryption key: when it was created (or first used, if it was created outside the SDK) and when it was
/// retired — the date from which backups holding keys wrapped under it no longer reveal destroyed keys.
/// </summary>
internal sealed class KeyEncryptionKeyRow
{
    public required string KeyEncryptionKeyId { get; set; }

    public long CreatedAtUtcTicks { get; set; }

    public long? RetiredAtUtcTicks { get; set; }
}

/// <summary>
/// A named value of the key store itself; today only the pseudonym-key check value (a keyed hash of a fixed label
/// under the pseudonym key, never the key), which lets a start with another pseudonym key be refused.
/// </summary>
internal sealed class KeyStoreSettingRow
{
    public const string PseudonymKeyCheck = "pseudonym_key_check";

    public required string Name { get; set; }

    public required string Value { get; set; }
}
