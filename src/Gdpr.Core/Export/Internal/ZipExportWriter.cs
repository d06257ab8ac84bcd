using System.IO.Compression;
using Gdpr.DataSources;

namespace Gdpr.Export;

/// <summary>
/// Writes the ZIP package: each file (a <c>byte[]</c> value) streams into <c>files/&lt;n&gt;-&lt;entity&gt;-&lt;member&gt;.bin</c>
/// as it arrives; the JSON manifest, which refers to the files by path and SHA-256, goes to an encrypted spool and is
/// added last as <c>manifest.json</c>. A ZIP entry must be written whole before the next begins, and the manifest
/// is only complete after the last file, hence the spool. The archive's central directory is written only when the
/// export completes, so an abandoned package is not a readable ZIP.
/// </summary>
internal sealed class ZipExportWriter : ExportWriter
{
    public const string ManifestName = "manifest.json";

    private readonly Stream _destination;
    private readonly TimeProvider _time;
    private readonly EncryptedSpool _manifest;
    private readonly JsonExportWriter _json;
    private ZipArchive? _zip;
    private int _fileNumber;

    public ZipExportWriter(Stream destination, int flushThreshold, TimeProvider time)
    {
        _destination = destination;
        _time = time;
        _manifest = new EncryptedSpool();
        _json = new JsonExportWriter(_manifest.Writer, flushThreshold, StoreFileAsync);
    }

    public override async ValueTask BeginAsync(ExportDocument document, CancellationToken cancellationToken)
    {
        _zip = await ZipArchive.CreateAsync(_destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        await _json.BeginAsync(document, cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask WriteAsync(PersonalDataItem item, CancellationToken cancellationToken) =>
        _json.WriteAsync(item, cancellationToken);

    public override async ValueTask CompleteAsync(ExportStats stats, CancellationToken cancellationToken)
    {
        await _json.CompleteAsync(stats, cancellationToken).ConfigureAwait(false);
        var entry = _zip!.CreateEntry(ManifestName, CompressionLevel.Fastest);
        entry.LastWriteTime = _time.GetUtcNow();
        var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await _manifest.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        await _zip.DisposeAsync().ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        // The archive is disposed only by CompleteAsync: an abandoned package gets no central directory and does
        // not open as a ZIP.
        await _json.DisposeAsync().ConfigureAwait(false);
        await _manifest.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<string> StoreFileAsync(PersonalDataItem item, byte[] bytes, CancellationToken cancellationToken)
    {
        var path = $"files/{++_fileNumber}-{ExportValues.SafeName(item.Entity)}-{ExportValues.SafeName(item.Member)}.bin";
        var entry = _zip!.CreateEntry(path, CompressionLevel.Fastest);
        entry.LastWriteTime = _time.GetUtcNow();
        var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return path;
    }
}
