using Gdpr.Keys;
using Microsoft.Win32.SafeHandles;

namespace Gdpr.Streams;

/// <summary>
/// The embedded blob store: one file per object in a folder, readable and writable by the owner only. A blob is
/// written to a hidden temporary file in the same folder, flushed to disk, then renamed to its name: readers see
/// a whole blob or none, and a failure during the write (a full disk) leaves nothing under the name.
/// </summary>
/// <remarks>
/// Deleting a blob deletes its file. On copy-on-write file systems, snapshots, backups and SSDs (wear levelling)
/// the old blocks may survive for a while; docs/streams.md says why the key shred still covers them: they hold
/// only ciphertext under a key derived from the subject's destroyed data key.
/// File I/O runs synchronously on the caller's thread: on Linux, .NET's asynchronous file I/O is a hop to a
/// thread-pool thread around the same blocking call, which cost a context switch and several hundred bytes of
/// allocation per segment (StreamMemoryTests); a segment read from the page cache takes microseconds.
/// A writer killed mid-write leaves a hidden <c>.*.partial</c> file that no read ever returns; deleting such files
/// older than a day is safe.
/// </remarks>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const string PartialExtension = ".partial";

    // Owner read and write only (0600): the ciphertext reveals sizes and times even if it reveals nothing else.
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory;
    private readonly Func<Stream, Stream> _wrapTemporaryFile;

    /// <summary>Initializes a new instance of the <see cref="FileSystemBlobStore"/> class.</summary>
    /// <param name="directory">The folder that holds the blobs; created owner-only (0700 on Unix) when missing, as the local key ring's folder is.</param>
    public FileSystemBlobStore(string directory)
        : this(directory, static s => s)
    {
    }

    /// <summary>For tests: wraps each temporary file's stream (to make it fail like a full disk).</summary>
    internal FileSystemBlobStore(string directory, Func<Stream, Stream> wrapTemporaryFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        _wrapTemporaryFile = wrapTemporaryFile;
        OwnerOnlyDirectory.Create(_directory);
    }

    /// <inheritdoc/>
    public ValueTask<IBlobWriter> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = GetPath(name);
        cancellationToken.ThrowIfCancellationRequested();
        var temporary = Path.Combine(_directory, $".{name}.{Guid.NewGuid():N}{PartialExtension}");
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read, // a backup or an operator may copy it; no second writer
            BufferSize = 0, // the writer hands whole segments
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        var file = new FileStream(temporary, options);
        return new ValueTask<IBlobWriter>(new Writer(file, _wrapTemporaryFile(file), temporary, path));
    }

    /// <inheritdoc/>
    public ValueTask<IBlobReader?> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = GetPath(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Delete is shared so that a delete (erasure) never waits for a reader.
            var handle = File.OpenHandle(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
            return new ValueTask<IBlobReader?>(new Reader(handle));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ValueTask<IBlobReader?>((IBlobReader?)null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = GetPath(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path))
        {
            return new ValueTask<bool>(false);
        }

        File.Delete(path);
        return new ValueTask<bool>(true);
    }

    private string GetPath(string name)
    {
        // The name becomes a file name: the object-id rule keeps out separators, "..", and the hidden temporary names.
        ObjectId.ThrowIfInvalid(name, nameof(name));
        return Path.Combine(_directory, name);
    }

    private sealed class Writer(FileStream file, Stream target, string temporary, string path) : IBlobWriter
    {
        private bool _done;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            target.Write(data.Span);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<bool> CommitAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            target.Flush();
            file.Flush(flushToDisk: true);
            await target.DisposeAsync().ConfigureAwait(false);
            await file.DisposeAsync().ConfigureAwait(false);
            try
            {
                // Without overwrite, .NET links the new name and then unlinks the temporary one: an existing blob is never replaced.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
                _done = true;
                return false;
            }

            _done = true;
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            try
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // A full disk may fail the final flush too; the file is deleted either way.
            }
            finally
            {
                await file.DisposeAsync().ConfigureAwait(false);
                File.Delete(temporary);
            }
        }
    }

    private sealed class Reader(SafeFileHandle handle) : IBlobReader
    {
        public long Length { get; } = RandomAccess.GetLength(handle);

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<int>(RandomAccess.Read(handle, buffer.Span, offset));
        }

        public ValueTask DisposeAsync()
        {
            handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
