using System.ComponentModel.DataAnnotations;

namespace Gdpr.Export;

/// <summary>
/// What a subject export says besides the values: the information GDPR Art. 15(1) requires in the package's head,
/// and which members belong to the portability subset (Art. 20). Set with
/// <see cref="GdprExportBuilderExtensions.ConfigureExport"/>; <see cref="Controller"/> name and contact are required.
/// </summary>
public sealed class ExportOptions
{
    /// <summary>Gets the controller's identity and contact details (Art. 15(1), Art. 13(1)(a)). Required.</summary>
    public ContactInfo Controller { get; } = new();

    /// <summary>Gets the data protection officer's contact details (Art. 37); leave empty when none is appointed.</summary>
    public ContactInfo DataProtectionOfficer { get; } = new();

    /// <summary>
    /// Gets the supervisory authority the subject may complain to (Art. 77, Art. 15(1)(f)), for example
    /// <c>Autoriteit Persoonsgegevens</c>. When empty the export names the right without naming an authority.
    /// </summary>
    public ContactInfo SupervisoryAuthority { get; } = new();

    /// <summary>
    /// Gets the purposes of the processing by id (the ids <see cref="PersonalDataAttribute.Purposes"/> uses), each with
    /// a description a subject understands (Art. 15(1)(a)).
    /// </summary>
    public IDictionary<string, string> Purposes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the recipients or categories of recipients the data is disclosed to (Art. 15(1)(c), 15(2)).</summary>
    public IList<RecipientInfo> Recipients { get; } = [];

    /// <summary>
    /// Gets, by category id (for example <c>financial.payment</c>), where data not collected from the subject comes
    /// from (Art. 15(1)(g)).
    /// </summary>
    public IDictionary<string, string> SourcesOfData { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets a description of automated decision-making and profiling, with the logic involved and its
    /// consequences (Art. 15(1)(h), Art. 22), when there is any. Only the controller knows whether there is: with
    /// neither this nor <see cref="NoAutomatedDecisionMaking"/> set, the export states nothing about it
    /// (<c>"automatedDecisionMaking": null</c>), and the answer to an access request is incomplete.
    /// </summary>
    public string? AutomatedDecisionMaking { get; set; }

    /// <summary>
    /// Gets or sets whether the controller states that no decision about a subject is taken solely by automated
    /// means and there is no profiling with legal or similarly significant effects (Art. 22). Default
    /// <see langword="false"/>: the SDK never makes that statement on the controller's behalf.
    /// </summary>
    public bool NoAutomatedDecisionMaking { get; set; }

    /// <summary>
    /// Gets overrides of the portability rule per member, keyed <c>Entity.Member</c>: <see langword="true"/> puts the
    /// member in the portability export, <see langword="false"/> keeps it out, whatever its annotation says. Without
    /// an override a value is in the subset when the subject provided it and it is processed on consent or contract.
    /// </summary>
    public IDictionary<string, bool> PortabilityOverrides { get; } = new Dictionary<string, bool>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets how many bytes the writer buffers before it flushes to the destination. Bounds the export's
    /// memory. Default 64 KiB.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int FlushThresholdBytes { get; set; } = 64 * 1024;
}
