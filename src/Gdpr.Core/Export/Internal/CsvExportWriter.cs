using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gdpr.DataSources;

namespace Gdpr.Export;

/// <summary>
/// Writes one CSV row per value: RFC 4180 (comma separated, CRLF line ends, fields with a comma, quote or line break
/// quoted and quotes doubled), UTF-8 with a byte-order mark so that spreadsheets detect the encoding.
/// </summary>
/// <remarks>
/// CSV injection: a text cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return
/// would run as a formula in a spreadsheet. Such a cell gets a leading apostrophe (<c>'=1+1</c>), which spreadsheets
/// show as text. Numbers (type integer, decimal, number) are written as numbers and never prefixed.
/// </remarks>
internal sealed class CsvExportWriter : ExportWriter
{
    internal static readonly string[] Columns =
    [
        "source", "entity", "record", "member", "category", "categoryName", "type", "value", "erased",
        "fileSha256", "fileSize", "purposes", "lawfulBasis", "providedBySubject", "retentionPolicy",
        "retentionPeriod", "retentionLegalBasis", "collectedAt", "modifiedAt",
    ];

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@\t\r");

    private readonly StreamWriter _writer;
    private readonly StringBuilder _buffer = new();
    private readonly int _flushThreshold;
    private ExportDocument? _document;
    private bool _completed;

    public CsvExportWriter(Stream destination, int flushThreshold)
    {
        _writer = new StreamWriter(destination, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true), bufferSize: 16 * 1024, leaveOpen: true)
        {
            NewLine = "\r\n",
        };
        _flushThreshold = flushThreshold;
    }

    public override ValueTask BeginAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        _document = document;
        for (var i = 0; i < Columns.Length; i++)
        {
            Cell(Columns[i], guard: false, first: i == 0);
        }

        _buffer.Append("\r\n");
        return default;
    }

    public override async ValueTask WriteAsync(PersonalDataItem item, CancellationToken cancellationToken)
    {
        var policy = _document!.GetPolicy(item.RetentionPolicy);
        var value = item.IsErased ? null : item.Value;
        Cell(item.Source, first: true);
        Cell(item.Entity);
        Cell(item.RecordKey);
        Cell(item.Member);
        Cell(item.Category);
        Cell(ExportDocument.CategoryName(item.Category));
        Cell(value is null ? null : ExportValues.TypeName(value));
        if (value is null)
        {
            Cell(null);
        }
        else if (!TryAppendFormatted(value))
        {
            Cell(ExportValues.ToText(value), guard: !ExportValues.IsNumber(value));
        }

        Cell(item.IsErased ? "true" : "false");
        if (value is byte[] bytes)
        {
            Cell(Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Cell(bytes.LongLength.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            Cell(null);
            Cell(null);
        }

        Cell(item.Purposes.Count switch { 0 => null, 1 => item.Purposes[0], _ => string.Join(';', item.Purposes) });
        Cell(ExportValues.LawfulBasisName(item.LawfulBasis));
        Cell(item.ProvidedBySubject ? "true" : "false");
        Cell(policy.Name);
        Cell(policy.Period);
        Cell(policy.LegalBasis);
        AppendTime(item.CollectedAt);
        AppendTime(item.ModifiedAt);
        _buffer.Append("\r\n");
        if (_buffer.Length * sizeof(char) >= _flushThreshold)
        {
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask CompleteAsync(ExportStats stats, CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        // Abandoned: the StreamWriter is left to the GC unflushed, so nothing more of an incomplete export is written.
        _buffer.Clear();
    }

    /// <summary>Appends one RFC 4180 field, with the formula guard unless the cell is a number or a header.</summary>
    internal void Cell(string? text, bool guard = true, bool first = false)
    {
        if (!first)
        {
            _buffer.Append(',');
        }

        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var prefix = guard && FormulaStart.Contains(text[0]);
        if (text.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            if (prefix)
            {
                _buffer.Append('\'');
            }

            _buffer.Append(text);
            return;
        }

        _buffer.Append('"');
        if (prefix)
        {
            _buffer.Append('\'');
        }

        var rest = text.AsSpan();
        int quote;
        while ((quote = rest.IndexOf('"')) >= 0)
        {
            _buffer.Append(rest[..(quote + 1)]).Append('"');
            rest = rest[(quote + 1)..];
        }

        _buffer.Append(rest).Append('"');
    }

    /// <summary>
    /// Appends numbers, dates and ids straight into the row buffer, without a string per value. Their invariant
    /// forms hold no comma, quote or line break and cannot start a formula (a number's minus sign stays a number).
    /// </summary>
    private bool TryAppendFormatted(object value)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (value)
        {
            case int i: _buffer.Append(',').Append(inv, $"{i}"); return true;
            case long l: _buffer.Append(',').Append(inv, $"{l}"); return true;
            case decimal m: _buffer.Append(',').Append(inv, $"{m}"); return true;
            case DateTimeOffset d: _buffer.Append(',').Append(inv, $"{d:O}"); return true;
            case DateTime d: _buffer.Append(',').Append(inv, $"{d:O}"); return true;
            case DateOnly d: _buffer.Append(',').Append(inv, $"{d:yyyy-MM-dd}"); return true;
            case Guid g: _buffer.Append(',').Append(inv, $"{g:D}"); return true;
            case bool b: _buffer.Append(',').Append(b ? "true" : "false"); return true;
            default: return false;
        }
    }

    private void AppendTime(DateTimeOffset? time)
    {
        _buffer.Append(',');
        if (time is { } t)
        {
            _buffer.Append(CultureInfo.InvariantCulture, $"{t:O}");
        }
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        await _writer.WriteAsync(_buffer, cancellationToken).ConfigureAwait(false);
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
    }
}
