using System.ComponentModel.DataAnnotations;

namespace Gdpr;

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
    [Range(typeof(TimeSpan), "00:00:00.0000001", "10675199.02:48:05.4775807")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}
