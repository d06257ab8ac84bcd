namespace Gdpr.Requests;

/// <summary>
/// How to reach the person who made a request (personal data): kept only encrypted, never logged. At least one of
/// the members should be set so the answer can be delivered.
/// </summary>
/// <param name="Name">The requester's name.</param>
/// <param name="Email">An e-mail address.</param>
/// <param name="Phone">A phone number.</param>
/// <param name="PostalAddress">A postal address.</param>
public sealed record RequesterContact(string? Name = null, string? Email = null, string? Phone = null, string? PostalAddress = null)
{
    /// <summary>Says which members are set, never their values.</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString()
        => $"RequesterContact {{ Name = {Mark(Name)}, Email = {Mark(Email)}, Phone = {Mark(Phone)}, PostalAddress = {Mark(PostalAddress)} }}";

    private static string Mark(string? value) => value is null ? "null" : "[personal data]";
}
