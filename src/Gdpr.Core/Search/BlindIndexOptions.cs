namespace Gdpr.Search;

/// <summary>Options of the blind indexes.</summary>
public sealed class BlindIndexOptions
{
    /// <summary>
    /// Gets or sets the region (ISO 3166-1 alpha-2) whose numbering plan reads a phone number written without a country
    /// code, for <see cref="BlindIndexNormalization.PhoneNumber"/>. Defaults to <c>NL</c>.
    /// </summary>
    public string DefaultPhoneRegion { get; set; } = "NL";
}
