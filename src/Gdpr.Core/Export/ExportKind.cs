namespace Gdpr.Export;

/// <summary>Which right an export answers, and so which of the subject's values it holds (the export document's <c>kind</c>).</summary>
public enum ExportKind
{
    /// <summary>Every value, the copy of the right of access (GDPR Art. 15(3)).</summary>
    Access = 0,

    /// <summary>
    /// The data-portability subset (GDPR Art. 20(1)): values the subject provided, processed on consent or contract,
    /// unless <see cref="ExportOptions.PortabilityOverrides"/> says otherwise for the member.
    /// </summary>
    Portability = 1,
}
