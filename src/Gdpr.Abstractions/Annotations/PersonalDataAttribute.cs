using Gdpr.Classification;
using Microsoft.Extensions.Compliance.Classification;

namespace Gdpr;

/// <summary>
/// Marks a member that holds personal data. The SDK stores its value encrypted under a key that belongs to the
/// row's data subject and the member's retention scope, exports it on an access request and erases it on an
/// erasure request.
/// </summary>
/// <example>
/// <code>
/// public sealed class Customer
/// {
///     [DataSubjectId] public string CustomerNumber { get; set; } = "";
///     [PersonalData(PersonalDataCategories.Email, Purposes = ["support"])] public string? Email { get; set; }
///     [PersonalData(PersonalDataCategories.Interests, RetentionPolicy = "marketing")] public string? Profile { get; set; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class PersonalDataAttribute : DataClassificationAttribute
{
    /// <summary>The retention policy of members that name none.</summary>
    public const string DefaultRetentionPolicy = "default";

    /// <summary>Initializes a new instance of the <see cref="PersonalDataAttribute"/> class.</summary>
    /// <param name="category">
    /// The category, a dotted identifier; use the constants of <see cref="PersonalDataCategories"/>.
    /// </param>
    public PersonalDataAttribute(string category)
        : base(GdprTaxonomy.Classify(category))
    {
        Category = category;
    }

    /// <summary>Gets the dotted category identifier, for example <c>contact.email</c>.</summary>
    public string Category { get; }

    /// <summary>
    /// Gets or sets the name of the retention policy the value falls under. The policy is also the value's key
    /// scope: an erasure can destroy one scope and keep another. Every name but <see cref="DefaultRetentionPolicy"/>
    /// must be a registered policy: an unregistered one falls under no obligation and would be destroyed at once by
    /// an erasure, so the SDK refuses to start naming type, member and policy.
    /// </summary>
    public string RetentionPolicy { get; set; } = DefaultRetentionPolicy;

    /// <summary>Gets or sets the purposes the value is processed for (GDPR Art. 5(1)(b)), for example <c>support</c>.</summary>
    public string[] Purposes { get; set; } = [];

    /// <summary>
    /// Gets or sets what an erasure of the subject does to the value. <see cref="ErasureAction.RetainUntilExpiry"/>
    /// requires <see cref="RetentionPolicy"/> to be a legal obligation, checked at start.
    /// </summary>
    public ErasureAction Erasure { get; set; } = ErasureAction.DestroyKey;

    /// <summary>
    /// Gets or sets the value read back once the value is erased (for example <c>"[erased]"</c>); <see langword="null"/>
    /// reads back as the member type's default.
    /// </summary>
    public object? Replacement { get; set; }

    /// <summary>
    /// Gets or sets the lawful basis the value is processed on (GDPR Art. 6(1)). Defaults to
    /// <see cref="Gdpr.LawfulBasis.Contract"/>, which the export states for the value and which (with
    /// <see cref="ProvidedBySubject"/>) puts it in the portability export: only the controller knows the basis, so set
    /// it on every annotated member (docs/export.md).
    /// </summary>
    public LawfulBasis LawfulBasis { get; set; } = LawfulBasis.Contract;

    /// <summary>
    /// Gets or sets whether the subject provided the value themselves, which puts it in the data-portability
    /// export (GDPR Art. 20) when its legal basis is consent or contract. Defaults to <see langword="true"/>: set
    /// <see langword="false"/> for observed or inferred data (call metadata, scores, agent notes).
    /// </summary>
    public bool ProvidedBySubject { get; set; } = true;
}
