using System.Security.Cryptography;
using Gdpr.DataSources;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Export;

/// <summary>
/// Streams one subject's values from every registered <see cref="IPersonalDataSource"/> into a format writer. Each
/// source is asked for that one subject only, and a value a source marks as another subject's fails the export.
/// </summary>
internal sealed class PersonalDataExporter : IPersonalDataExporter
{
    private readonly IPersonalDataSource[] _sources;
    private readonly IOptions<ExportOptions> _options;
    private readonly RetentionPolicyCatalog _policies;
    private readonly SubjectPseudonymizer _pseudonymizer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PersonalDataExporter(
        IEnumerable<IPersonalDataSource> sources,
        IOptions<ExportOptions> options,
        RetentionPolicyCatalog policies,
        SubjectPseudonymizer pseudonymizer,
        TimeProvider time,
        ILogger<PersonalDataExporter>? logger = null)
    {
        _sources = [.. sources];
        _options = options;
        _policies = policies;
        _pseudonymizer = pseudonymizer;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<ExportSummary> ExportAsync(
        string subjectId,
        Stream destination,
        ExportFormat format,
        ExportKind kind = ExportKind.Access,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        var options = Prepare(subjectId, format, kind);
        var pseudonym = _pseudonymizer.Compute(subjectId).Value;
        ExportLog.ExportStarted(_logger, pseudonym, format, kind);

        var document = new ExportDocument(subjectId, kind, _time.GetUtcNow(), options, _policies.All);
        var stats = new ExportStats();
        var writer = CreateWriter(format, destination, options.FlushThresholdBytes);
        await using (writer.ConfigureAwait(false))
        {
            await writer.BeginAsync(document, cancellationToken).ConfigureAwait(false);
            foreach (var source in _sources)
            {
                await ExportSourceAsync(source, subjectId, pseudonym, kind, options, writer, stats, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(stats, cancellationToken).ConfigureAwait(false);
        }

        ExportLog.ExportCompleted(_logger, pseudonym, stats.ValueCount, stats.ErasedCount, stats.FileCount);
        return stats.ToSummary();
    }

    public async Task<ExportSummary> ExportToFileAsync(
        string subjectId,
        string path,
        ExportFormat format,
        ExportKind kind = ExportKind.Access,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Prepare(subjectId, format, kind);
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target)
            ?? throw new ArgumentException("The path names no file.", nameof(path));

        // Beside the target, so that the final rename stays on one file system and is atomic.
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.partial");
        var fileOptions = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            // The export is the subject's personal data: readable by the service account only.
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            ExportSummary summary;
            var file = new FileStream(temp, fileOptions);
            await using (file.ConfigureAwait(false))
            {
                summary = await ExportAsync(subjectId, file, format, kind, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
            return summary;
        }
        catch
        {
            TryDelete(temp, subjectId);
            throw;
        }
    }

    private ExportOptions Prepare(string subjectId, ExportFormat format, ExportKind kind)
    {
        SubjectPseudonymizer.ThrowIfInvalidSubjectId(subjectId);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Not a known export format.");
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a known export kind.");
        }

        // Validates on first use (OptionsValidationException) when ConfigureExport did not validate at start.
        return _options.Value;
    }

    private ExportWriter CreateWriter(ExportFormat format, Stream destination, int flushThreshold) => format switch
    {
        ExportFormat.Json => new JsonExportWriter(destination, flushThreshold),
        ExportFormat.Csv => new CsvExportWriter(destination, flushThreshold),
        _ => new ZipExportWriter(destination, flushThreshold, _time),
    };

    private async Task ExportSourceAsync(
        IPersonalDataSource source,
        string subjectId,
        string pseudonym,
        ExportKind kind,
        ExportOptions options,
        ExportWriter writer,
        ExportStats stats,
        CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(source.Name) ? source.GetType().Name : source.Name;
        stats.Sources.Add(name);
        IAsyncEnumerator<PersonalDataItem> values;
        try
        {
            values = source.ExportAsync(subjectId, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(name, pseudonym, $"it could not be called ({ex.GetType().Name})", ex);
        }

        try
        {
            while (await NextAsync(values, name, pseudonym, cancellationToken).ConfigureAwait(false))
            {
                var item = values.Current ?? throw Fail(name, pseudonym, "it returned a null value", null);
                if (item.SubjectId is not null && !string.Equals(item.SubjectId, subjectId, StringComparison.Ordinal))
                {
                    // Art. 15(4): a copy must not disclose another person's data. Fail rather than skip: the source is broken.
                    ExportLog.ForeignValue(_logger, name, pseudonym, item.Entity, item.Member);
                    throw new PersonalDataExportException(name, pseudonym, $"it returned a value of another data subject ({item.Entity}.{item.Member})");
                }

                if (kind == ExportKind.Portability && !IsPortable(item, options))
                {
                    continue;
                }

                if (Malformed(item) is { } problem)
                {
                    // Fail rather than write a document its schema rejects.
                    throw new PersonalDataExportException(name, pseudonym, problem);
                }

                stats.Count(item);

                // Errors of the destination (a full disk) are not the source's and pass through unwrapped.
                await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // The first failure is the one the caller needs to see; a failing release would only hide it.
            try
            {
                await values.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ExportLog.SourceFailed(_logger, name, pseudonym, ex);
            }

            throw;
        }

        try
        {
            await values.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(name, pseudonym, $"releasing its reader failed ({ex.GetType().Name})", ex);
        }
    }

    private async ValueTask<bool> NextAsync(IAsyncEnumerator<PersonalDataItem> values, string name, string pseudonym, CancellationToken cancellationToken)
    {
        try
        {
            return await values.MoveNextAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not PersonalDataExportException)
        {
            throw Fail(name, pseudonym, $"reading its values failed ({ex.GetType().Name})", ex);
        }
    }

    private PersonalDataExportException Fail(string source, string pseudonym, string reason, Exception? inner)
    {
        ExportLog.SourceFailed(_logger, source, pseudonym, inner ?? new InvalidOperationException(reason));
        return new PersonalDataExportException(source, pseudonym, reason, inner);
    }

    /// <summary>What makes an item unfit for the export format, or <see langword="null"/>; free of personal data.</summary>
    private static string? Malformed(PersonalDataItem item)
    {
        if (string.IsNullOrEmpty(item.Source) || string.IsNullOrEmpty(item.Entity) || string.IsNullOrEmpty(item.Member)
            || string.IsNullOrEmpty(item.RetentionPolicy))
        {
            return "it returned a value without source, entity, member or retention policy";
        }

        if (!Classification.PersonalDataCategories.IsValidId(item.Category))
        {
            return $"{item.Entity}.{item.Member} has no valid category id (a lower-case dotted name such as 'contact.email')";
        }

        if (!item.IsErased && item.Value is { } value && ExportValues.TypeName(value) is null)
        {
            return $"{item.Entity}.{item.Member} has a value of unsupported type {value.GetType().Name}";
        }

        return null;
    }

    /// <summary>
    /// The Art. 20(1) rule: provided by the subject and processed on consent or contract, unless the configuration
    /// overrides it for the member.
    /// </summary>
    internal static bool IsPortable(PersonalDataItem item, ExportOptions options)
    {
        if (options.PortabilityOverrides.Count != 0
            && options.PortabilityOverrides.TryGetValue(item.Entity + "." + item.Member, out var include))
        {
            return include;
        }

        return item.ProvidedBySubject && item.LawfulBasis is LawfulBasis.Consent or LawfulBasis.Contract;
    }

    private void TryDelete(string temp, string subjectId)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException ex)
        {
            ExportLog.TempFileNotDeleted(_logger, _pseudonymizer.Compute(subjectId).Value, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            ExportLog.TempFileNotDeleted(_logger, _pseudonymizer.Compute(subjectId).Value, ex);
        }
    }
}
