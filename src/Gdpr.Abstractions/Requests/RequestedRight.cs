namespace Gdpr.Requests;

/// <summary>One right asked for in a request, with its own status and outcome.</summary>
/// <param name="Right">The right.</param>
/// <param name="Purpose">
/// For an objection or a restriction, the purpose it concerns (for example <see cref="DirectMarketingPurpose"/>);
/// otherwise <see langword="null"/>.
/// </param>
/// <param name="Status">Open, completed or refused.</param>
/// <param name="Reason">Why it was refused (the legal ground, free of personal data), or <see langword="null"/>.</param>
/// <param name="Reference">What proves it was carried out (an export package or erasure certificate id), or <see langword="null"/>.</param>
/// <param name="ClosedAt">When it was completed or refused.</param>
public sealed record RequestedRight(
    DataSubjectRight Right,
    string? Purpose = null,
    RightStatus Status = RightStatus.Open,
    string? Reason = null,
    string? Reference = null,
    DateTimeOffset? ClosedAt = null)
{
    /// <summary>The purpose an objection to direct marketing names; such an objection cannot be refused (GDPR Art. 21(3)).</summary>
    public const string DirectMarketingPurpose = "direct-marketing";

    /// <summary>Gets whether this is an objection to direct marketing (GDPR Art. 21(2), 21(3)).</summary>
    public bool IsObjectionToDirectMarketing
        => Right == DataSubjectRight.Objection && string.Equals(Purpose, DirectMarketingPurpose, StringComparison.Ordinal);
}
