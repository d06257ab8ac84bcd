using System.Globalization;
using Gdpr.Storage.EfCore;

namespace Gdpr.Samples.ContactCenter;

/// <summary>
/// Shows the encryption pass: on a terminal one line per entity type that updates in place (bar, rows done / total,
/// rows per second); with output redirected one plain line per batch, which scripts and tests can read.
/// </summary>
/// <remarks>
/// Reported synchronously by the pass after each batch (not through <see cref="Progress{T}"/>, which would post the
/// reports to the thread pool and could print them out of order).
/// </remarks>
internal sealed class MigrationProgressBar(TextWriter output, bool interactive) : IProgress<LegacyEncryptionProgress>
{
    private const int Width = 30;
    private string? _entity;

    /// <summary>Gets the rows each entity type had encrypted in this pass, by the last report of it.</summary>
    public Dictionary<string, long> RowsDone { get; } = new(StringComparer.Ordinal);

    public void Report(LegacyEncryptionProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        RowsDone[value.Entity] = value.RowsDone;
        var line = string.Create(CultureInfo.InvariantCulture, $"{value.Entity,-16} {Bar(value.RowsDone, value.RowsTotal)} {value.RowsDone,7}/{value.RowsTotal,-7} {value.RowsPerSecond,8:F0} rows/s");
        if (!interactive)
        {
            output.WriteLine("   " + line);
            return;
        }

        if (_entity is not null && _entity != value.Entity)
        {
            output.WriteLine();
        }

        _entity = value.Entity;
        output.Write("\r   " + line);
        output.Flush();
    }

    /// <summary>Ends the updating line, if one is open.</summary>
    public void Finish()
    {
        if (interactive && _entity is not null)
        {
            output.WriteLine();
            _entity = null;
        }
    }

    private static string Bar(long done, long total)
    {
        var filled = total <= 0 ? Width : (int)Math.Min(Width, done * Width / total);
        return "[" + new string('#', filled) + new string('.', Width - filled) + "]";
    }
}
