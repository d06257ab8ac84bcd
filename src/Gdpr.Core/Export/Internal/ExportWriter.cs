using Gdpr.DataSources;

namespace Gdpr.Export;

/// <summary>
/// One format's writer. The exporter calls <see cref="BeginAsync"/>, <see cref="WriteAsync"/> per value and
/// <see cref="CompleteAsync"/>; disposing without completing abandons the output and writes nothing more.
/// </summary>
internal abstract class ExportWriter : IAsyncDisposable
{
    public abstract ValueTask BeginAsync(ExportDocument document, CancellationToken cancellationToken);

    public abstract ValueTask WriteAsync(PersonalDataItem item, CancellationToken cancellationToken);

    public abstract ValueTask CompleteAsync(ExportStats stats, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
