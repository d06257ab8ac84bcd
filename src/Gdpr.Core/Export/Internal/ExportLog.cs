using Microsoft.Extensions.Logging;

namespace Gdpr.Export;

/// <summary>Log lines of the export (event ids 4000-4099). Arguments are pseudonyms, source names and counts, never values.</summary>
internal static partial class ExportLog
{
    [LoggerMessage(4001, LogLevel.Debug, "Exporting subject {Pseudonym} as {Format} ({Kind}).")]
    public static partial void ExportStarted(ILogger logger, string pseudonym, ExportFormat format, ExportKind kind);

    [LoggerMessage(4002, LogLevel.Information, "Exported subject {Pseudonym}: {ValueCount} values, {ErasedCount} erased, {FileCount} files.")]
    public static partial void ExportCompleted(ILogger logger, string pseudonym, int valueCount, int erasedCount, int fileCount);

    [LoggerMessage(4003, LogLevel.Error, "Data source {Source} failed while exporting subject {Pseudonym}; the export is abandoned.")]
    public static partial void SourceFailed(ILogger logger, string source, string pseudonym, Exception exception);

    [LoggerMessage(4004, LogLevel.Error, "Data source {Source} returned a value of another subject while exporting subject {Pseudonym} ({Entity}.{Member}); the export is abandoned.")]
    public static partial void ForeignValue(ILogger logger, string source, string pseudonym, string entity, string member);

    [LoggerMessage(4005, LogLevel.Warning, "The temporary export file could not be deleted after a failed export of subject {Pseudonym}.")]
    public static partial void TempFileNotDeleted(ILogger logger, string pseudonym, Exception exception);
}
