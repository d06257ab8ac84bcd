namespace Gdpr.Export;

/// <summary>
/// Exports everything the registered data sources hold about one data subject: the copy of the right of access
/// (GDPR Art. 15) or the data-portability subset (Art. 20). Values are streamed from the sources to the destination,
/// so memory does not grow with the size of the export.
/// </summary>
public interface IPersonalDataExporter
{
    /// <summary>Writes one subject's export to <paramref name="destination"/>.</summary>
    /// <param name="subjectId">The subject id. A subject no source knows gives an export with zero values.</param>
    /// <param name="destination">
    /// A writable stream; it is written to as values arrive and left open. When the call throws, what was written is
    /// incomplete and must be discarded: use <see cref="ExportToFileAsync"/> for an all-or-nothing file.
    /// </param>
    /// <param name="format">The format.</param>
    /// <param name="kind">Every value (Art. 15) or the portability subset (Art. 20).</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="PersonalDataExportException">A data source failed, or returned another subject's value; names the source.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The export options are incomplete (controller name and contact are required).</exception>
    Task<ExportSummary> ExportAsync(
        string subjectId,
        Stream destination,
        ExportFormat format,
        ExportKind kind = ExportKind.Access,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one subject's export to a file: first to a temporary file beside <paramref name="path"/>, renamed to
    /// <paramref name="path"/> (replacing an existing file) only when the export completed. On failure or
    /// cancellation the temporary file is deleted and no file appears at <paramref name="path"/>.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="path">The file to create.</param>
    /// <param name="format">The format.</param>
    /// <param name="kind">Every value (Art. 15) or the portability subset (Art. 20).</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="PersonalDataExportException">A data source failed, or returned another subject's value; names the source.</exception>
    Task<ExportSummary> ExportToFileAsync(
        string subjectId,
        string path,
        ExportFormat format,
        ExportKind kind = ExportKind.Access,
        CancellationToken cancellationToken = default);
}
