namespace Gdpr.Export;

/// <summary>The file format of a subject export.</summary>
public enum ExportFormat
{
    /// <summary>
    /// One JSON document (schema <c>docs/schemas/subject-export-v1.schema.json</c>): the Art. 15(1) information,
    /// then every value. Files (<c>byte[]</c> values) are embedded as base64.
    /// </summary>
    Json = 0,

    /// <summary>
    /// UTF-8 CSV (RFC 4180), one row per value, for spreadsheets. Carries the values only, not the Art. 15(1)
    /// information; cells that a spreadsheet would run as a formula are neutralised. Files are embedded as base64.
    /// </summary>
    Csv = 1,

    /// <summary>
    /// A ZIP package: <c>manifest.json</c> (the JSON format) and every file under <c>files/</c>, referenced from the
    /// manifest by relative path and SHA-256.
    /// </summary>
    Zip = 2,
}
