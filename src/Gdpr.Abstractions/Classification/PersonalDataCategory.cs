namespace Gdpr.Classification;

/// <summary>Describes one category of personal data in the Gdpr taxonomy.</summary>
/// <param name="Id">The stable dotted identifier, for example <c>contact.email</c>. Exports and registers use it.</param>
/// <param name="DisplayName">A short English name for people reading an export or a register.</param>
/// <param name="IsSpecialCategory">Whether the category is a special category of personal data (GDPR Art. 9).</param>
public sealed record PersonalDataCategory(string Id, string DisplayName, bool IsSpecialCategory = false);
