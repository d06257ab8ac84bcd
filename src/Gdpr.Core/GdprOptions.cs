using System.ComponentModel.DataAnnotations;
using Gdpr.Encryption;
using Gdpr.Retention;
using Microsoft.Extensions.Options;

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
    [Required(ErrorMessage = "{0} is required: a secret of at least 32 bytes.")]
    [MinLength(32, ErrorMessage = "{0} must be a secret of at least {1} bytes.")]
    public byte[]? PseudonymKey { get; set; }

    /// <summary>Gets or sets the algorithm new values are encrypted with. Values of either algorithm are always read.</summary>
    [EnumDataType(typeof(FieldEncryptionAlgorithm), ErrorMessage = "{0} is not a supported algorithm.")]
    public FieldEncryptionAlgorithm Algorithm { get; set; } = FieldEncryptionAlgorithm.Aegis256;

    /// <summary>
    /// Gets the retention policies by name. Members that name no policy fall under
    /// <see cref="PersonalDataAttribute.DefaultRetentionPolicy"/>, which need not be listed.
    /// </summary>
    public IList<RetentionPolicy> RetentionPolicies { get; } = [];

    /// <summary>Gets the limits of the cache of unwrapped data keys.</summary>
    [ValidateObjectMembers]
    public KeyCacheOptions KeyCache { get; } = new();
}
