using System.ComponentModel.DataAnnotations;
using Gdpr.Encryption;
using Gdpr.Retention;

namespace Gdpr;

/// <summary>Options of the Gdpr engine, validated when the host starts.</summary>
public sealed class GdprOptions
{
    /// <summary>
    /// Gets or sets the secret (at least 32 bytes) that keys the subject pseudonyms (HMAC-SHA-256 of the subject
    /// id). Keep it with the same care as a key-encryption key, and never change it: the key store finds subjects
    /// by it. The key store keeps a check value of it (never the key), and a start with another key fails with
    /// <see cref="Keys.PseudonymKeyMismatchException"/>.
    /// </summary>
    [Required]
    public byte[]? PseudonymKey { get; set; }

    /// <summary>Gets or sets the algorithm new values are encrypted with. Values of either algorithm are always read.</summary>
    public FieldEncryptionAlgorithm Algorithm { get; set; } = FieldEncryptionAlgorithm.Aegis256;

    /// <summary>
    /// Gets the retention policies by name. Members that name no policy fall under
    /// <see cref="PersonalDataAttribute.DefaultRetentionPolicy"/>, which need not be listed.
    /// </summary>
    public IList<RetentionPolicy> RetentionPolicies { get; } = [];

    /// <summary>Gets the limits of the cache of unwrapped data keys.</summary>
    public KeyCacheOptions KeyCache { get; } = new();
}

/// <summary>Limits of the cache of unwrapped data keys. Key bytes are wiped when an entry leaves the cache.</summary>
public sealed class KeyCacheOptions
{
    /// <summary>Gets or sets the most keys kept unwrapped at once. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how long a key stays cached before the store is asked again. It bounds how long another node
    /// can keep reading a subject after a shred when no invalidation message reaches it. Default 5 minutes.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}
