namespace Gdpr.Keys;

/// <summary>Where the local key-encryption-key provider keeps its keys.</summary>
public sealed class LocalKeyRingOptions
{
    /// <summary>
    /// Gets or sets the folder holding the key ring (one file per KEK, readable by the owner only). When
    /// <see langword="null"/>, keys live in memory and are lost when the process ends: for tests only.
    /// </summary>
    public string? Directory { get; set; }
}
