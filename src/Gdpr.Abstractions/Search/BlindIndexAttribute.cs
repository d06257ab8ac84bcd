namespace Gdpr.Search;

/// <summary>
/// Declares a blind index on a <see cref="PersonalDataAttribute"/> member: a keyed hash of the normalized value,
/// truncated so that several rows share each index value, stored beside the envelope so that a lookup can filter in
/// SQL and decrypt only the candidates. Members of one entity that name the same index form a compound index (for
/// example postcode and house number), combined in <see cref="Order"/>.
/// </summary>
/// <example>
/// <code>
/// public sealed class Customer
/// {
///     [DataSubjectId] public string CustomerNumber { get; set; } = "";
///
///     [PersonalData(PersonalDataCategories.Phone)]
///     [BlindIndex("phone", Normalization = BlindIndexNormalization.PhoneNumber)]
///     public string? Phone { get; set; }
///
///     [PersonalData(PersonalDataCategories.PostalAddress)]
///     [BlindIndex("postcode_house", Order = 0, Normalization = BlindIndexNormalization.CaseInsensitiveText)]
///     public string? Postcode { get; set; }
///
///     [PersonalData(PersonalDataCategories.PostalAddress)]
///     [BlindIndex("postcode_house", Order = 1, Normalization = BlindIndexNormalization.CaseInsensitiveText)]
///     public string? HouseNumber { get; set; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = true)]
public sealed class BlindIndexAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="BlindIndexAttribute"/> class.</summary>
    /// <param name="name">The index's name, unique within its entity; part of its key derivation.</param>
    public BlindIndexAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the index's name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets how the member's value is normalized before it is hashed.</summary>
    public BlindIndexNormalization Normalization { get; set; } = BlindIndexNormalization.Exact;

    /// <summary>Gets or sets the member's position in a compound index (members of one index are combined in this order).</summary>
    public int Order { get; set; }

    /// <summary>
    /// Gets or sets how many rows the table is expected to hold; the index's length in bits is planned from it
    /// (<c>BlindIndexPlanner</c>) so that each index value is shared by a few rows. 0: the planner's default.
    /// </summary>
    public long ExpectedRows { get; set; }
}
