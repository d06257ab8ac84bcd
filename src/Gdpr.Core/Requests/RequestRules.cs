namespace Gdpr.Requests;

/// <summary>
/// The rules a request transition can break, as <see cref="RequestTransitionRefusedException.Rule"/> and the audit
/// trail name them: a short id and the article behind it.
/// </summary>
public static class RequestRules
{
    /// <summary>The transition is not one the state machine allows from the request's status (docs/requests.md).</summary>
    public const string TransitionNotAllowed = "transition-not-allowed";

    /// <summary>A completed or refused request changes no more.</summary>
    public const string RequestClosed = "request-closed";

    /// <summary>The period may be extended once (GDPR Art. 12(3)).</summary>
    public const string ExtensionOnce = "extension-once (Art. 12(3))";

    /// <summary>The extension must be told to the subject within one month of receipt (Art. 12(3)).</summary>
    public const string ExtensionWithinFirstMonth = "extension-within-first-month (Art. 12(3))";

    /// <summary>The extension must give the reasons for the delay (Art. 12(3)).</summary>
    public const string ExtensionNeedsReasons = "extension-needs-reasons (Art. 12(3))";

    /// <summary>A refusal needs a reason the controller can show (Art. 12(5)).</summary>
    public const string RefusalNeedsReason = "refusal-needs-reason (Art. 12(5))";

    /// <summary>A refusal must tell the subject of the right to complain and to a judicial remedy (Art. 12(4)).</summary>
    public const string RefusalNeedsComplaintNotice = "refusal-needs-complaint-and-remedy-notice (Art. 12(4))";

    /// <summary>A refusal must be told within one month of receipt (Art. 12(4)).</summary>
    public const string RefusalWithinFirstMonth = "refusal-within-first-month (Art. 12(4))";

    /// <summary>An objection to direct marketing cannot be refused (Art. 21(3)).</summary>
    public const string DirectMarketingObjectionAbsolute = "direct-marketing-objection-absolute (Art. 21(3))";

    /// <summary>Handling a request is free; a fee only on the grounds of Art. 12(5)(a) and 15(3).</summary>
    public const string FeeNotAllowed = "fee-not-allowed (Art. 12(5), 15(3))";

    /// <summary>A right asked for is not in the request, or is closed already.</summary>
    public const string RightNotOpen = "right-not-open";

    /// <summary>The rights are handled only once the requester's identity is verified (Art. 12(6)).</summary>
    public const string IdentityNotVerified = "identity-not-verified (Art. 12(6))";

    /// <summary>No request has this id.</summary>
    public const string UnknownRequest = "unknown-request";

    /// <summary>Too many one-time codes were sent for this request.</summary>
    public const string TooManyCodesIssued = "too-many-codes-issued (Art. 12(6))";

    /// <summary>An objection to direct marketing is executed only when the controller named its scope (<see cref="RequestOptions.DirectMarketingScope"/>).</summary>
    public const string DirectMarketingScopeNotConfigured = "direct-marketing-scope-not-configured (Art. 21(3))";

    /// <summary>The direct-marketing scope could not be destroyed (a legal obligation or hold keeps it, or it failed): processing must be stopped another way.</summary>
    public const string DirectMarketingScopeNotDestroyed = "direct-marketing-scope-not-destroyed (Art. 21(3))";

    /// <summary>The erasure did not complete (a scope or source failed, or keys are missing); run the execution again.</summary>
    public const string ErasureIncomplete = "erasure-incomplete (Art. 17)";

    /// <summary>The requester gave no contact detail of the kind a code was to be sent to.</summary>
    public const string NoContactForDestination = "no-contact-for-destination";
}
