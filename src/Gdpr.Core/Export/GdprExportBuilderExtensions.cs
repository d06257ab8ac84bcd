using Gdpr.Export;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr;

/// <summary>Configures the subject export (GDPR Art. 15 and 20).</summary>
public static class GdprExportBuilderExtensions
{
    /// <summary>
    /// Sets what exports say about the controller, its DPO, purposes, recipients and rights, and which members are in
    /// the portability subset. The options are validated when the host starts: controller name and contact are required.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGdpr(o => o.PseudonymKey = key).ConfigureExport(o =>
    /// {
    ///     o.Controller.Name = "Example Contact Center B.V.";
    ///     o.Controller.Contact = "privacy@example.org, Postbus 1, 1000 AA Amsterdam";
    ///     o.SupervisoryAuthority.Name = "Autoriteit Persoonsgegevens";
    ///     o.Purposes["support"] = "Answering your questions and complaints";
    /// });
    /// </code>
    /// </example>
    public static IGdprBuilder ConfigureExport(this IGdprBuilder builder, Action<ExportOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ExportOptions>().Configure(configure).ValidateOnStart();
        return builder;
    }
}
