using System.Collections.Frozen;

namespace Gdpr.Classification;

/// <summary>
/// The categories of personal data a contact center holds, as stable dotted identifiers.
/// </summary>
/// <remarks>
/// Identifiers are part of the export format and the records of processing: they never change once shipped.
/// Applications may use their own identifiers too, as long as they are lower-case dotted names
/// (<c>[a-z0-9-]+(\.[a-z0-9-]+)+</c>); the built-in ones cover GDPR Art. 4(1) and Recital 30.
/// </remarks>
public static class PersonalDataCategories
{
    /// <summary>The identifier of the data subject itself (a customer number, an account id).</summary>
    public const string SubjectId = "subject.id";

    /// <summary>A person's name.</summary>
    public const string Name = "identity.name";
    /// <summary>A date of birth.</summary>
    public const string DateOfBirth = "identity.date-of-birth";
    /// <summary>A government-issued identifier (passport or national identity number).</summary>
    public const string GovernmentId = "identity.government-id";

    /// <summary>A postal address.</summary>
    public const string PostalAddress = "contact.postal-address";
    /// <summary>A telephone number.</summary>
    public const string Phone = "contact.phone";
    /// <summary>An e-mail address.</summary>
    public const string Email = "contact.email";

    /// <summary>An IP address (Recital 30).</summary>
    public const string IpAddress = "online.ip-address";
    /// <summary>A MAC address.</summary>
    public const string MacAddress = "online.mac-address";
    /// <summary>A cookie identifier, for example the chat widget's visitor cookie.</summary>
    public const string CookieId = "online.cookie-id";
    /// <summary>A device identifier.</summary>
    public const string DeviceId = "online.device-id";

    /// <summary>Payment details such as a bank account (IBAN) or card reference.</summary>
    public const string PaymentDetails = "financial.payment";
    /// <summary>Transactions: orders, invoices, amounts.</summary>
    public const string Transaction = "financial.transaction";

    /// <summary>A location: coordinates, a cell or a region.</summary>
    public const string Location = "location.geo";

    /// <summary>Interests and marketing profiles.</summary>
    public const string Interests = "profile.interests";
    /// <summary>Preferences and settings the person chose.</summary>
    public const string Preferences = "profile.preferences";

    /// <summary>A call recording.</summary>
    public const string CallRecording = "communication.call-recording";
    /// <summary>A chat transcript.</summary>
    public const string ChatTranscript = "communication.chat-transcript";
    /// <summary>The body of an e-mail.</summary>
    public const string EmailBody = "communication.email-body";
    /// <summary>Notes an agent wrote about a conversation.</summary>
    public const string AgentNotes = "communication.agent-notes";

    /// <summary>Health data (GDPR Art. 9).</summary>
    public const string Health = "special.health";
    /// <summary>Biometric data used to identify a person (GDPR Art. 9).</summary>
    public const string Biometric = "special.biometric";
    /// <summary>Another special category of GDPR Art. 9 (ethnic origin, religion, political opinion, ...).</summary>
    public const string OtherSpecialCategory = "special.other";

    /// <summary>Every built-in category, in a stable order.</summary>
    public static IReadOnlyList<PersonalDataCategory> All { get; } =
    [
        new(SubjectId, "Data subject identifier"),
        new(Name, "Name"),
        new(DateOfBirth, "Date of birth"),
        new(GovernmentId, "Government identifier"),
        new(PostalAddress, "Postal address"),
        new(Phone, "Telephone number"),
        new(Email, "E-mail address"),
        new(IpAddress, "IP address"),
        new(MacAddress, "MAC address"),
        new(CookieId, "Cookie identifier"),
        new(DeviceId, "Device identifier"),
        new(PaymentDetails, "Payment details"),
        new(Transaction, "Transactions"),
        new(Location, "Location"),
        new(Interests, "Interests and profile"),
        new(Preferences, "Preferences"),
        new(CallRecording, "Call recording"),
        new(ChatTranscript, "Chat transcript"),
        new(EmailBody, "E-mail content"),
        new(AgentNotes, "Agent notes"),
        new(Health, "Health data", IsSpecialCategory: true),
        new(Biometric, "Biometric data", IsSpecialCategory: true),
        new(OtherSpecialCategory, "Special category data", IsSpecialCategory: true),
    ];

    private static readonly FrozenDictionary<string, PersonalDataCategory> ById =
        All.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);

    /// <summary>Finds a built-in category by identifier.</summary>
    /// <param name="id">The dotted identifier.</param>
    /// <param name="category">The category, when built in.</param>
    /// <returns><see langword="true"/> when <paramref name="id"/> names a built-in category.</returns>
    public static bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PersonalDataCategory? category)
        => ById.TryGetValue(id, out category);

    /// <summary>Whether <paramref name="id"/> is a well-formed category identifier (built in or the application's own).</summary>
    /// <param name="id">The identifier to check.</param>
    /// <returns><see langword="true"/> when the identifier is lower-case, dotted and has at least two parts.</returns>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id[0] == '.' || id[^1] == '.' || !id.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' || (c == '.' && id[i - 1] != '.');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    internal static void ThrowIfInvalidId(string categoryId)
    {
        if (!IsValidId(categoryId))
        {
            var suggestion = Suggest(categoryId) is { } near ? $" Did you mean '{near.Id}' ({near.DisplayName})?" : string.Empty;
            throw new ArgumentException(
                $"'{categoryId}' is not a personal-data category identifier: use a lower-case dotted name such as 'contact.email' (the constants of PersonalDataCategories).{suggestion}",
                nameof(categoryId));
        }
    }

    /// <summary>The built-in category whose last part matches <paramref name="categoryId"/> ignoring case and punctuation ("e-mail": contact.email).</summary>
    private static PersonalDataCategory? Suggest(string? categoryId)
    {
        var wanted = Letters(categoryId);
        return wanted.Length == 0 ? null : All.FirstOrDefault(c => Letters(c.Id[(c.Id.LastIndexOf('.') + 1)..]) == wanted);
    }

    private static string Letters(string? text)
        => text is null ? string.Empty : string.Concat(text.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();
}
