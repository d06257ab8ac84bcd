using Gdpr.Streams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Streams;

/// <summary>
/// Keeps the ciphertext of encrypted objects in two tables of the application's database
/// (<see cref="BlobStoreModelBuilderExtensions.AddGdprBlobStore"/>), for several nodes that share no file system. Works
/// on any EF Core relational provider.
/// </summary>
/// <remarks>
/// <para>A blob's bytes go to <see cref="BlobStoreModelBuilderExtensions.ChunksTableName"/> in chunks of 256 KiB, each
/// inserted as it fills; its row in <see cref="BlobStoreModelBuilderExtensions.BlobsTableName"/> is inserted last, and
/// all of it in one transaction: readers see a whole blob or none, and a writer that fails or is abandoned (or whose
/// process dies) leaves nothing. A writer holds one chunk in memory, a reader the chunk its last read touched.</para>
/// <para>On SQLite, the write transaction holds the database's write lock from the first chunk to the commit: other
/// writers of that file wait. Prefer <c>FileSystemBlobStore</c> on a single node.</para>
/// <para>Deleting a blob deletes its rows. The database may keep the old bytes for a while (PostgreSQL: dead tuples
/// until VACUUM; write-ahead log, backups, replicas): they are ciphertext under a key derived from the subject's data
/// key, which an erasure destroys (docs/streams.md).</para>
/// </remarks>
/// <typeparam name="TContext">The application's DbContext, registered with <c>AddDbContextFactory</c>.</typeparam>
public sealed class EfCoreBlobStore<TContext> : IBlobStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Initializes a new instance of the <see cref="EfCoreBlobStore{TContext}"/> class.</summary>
    /// <param name="contexts">Creates the application's DbContext.</param>
    public EfCoreBlobStore(IDbContextFactory<TContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts;
    }

    /// <summary>Gets or sets the bytes per chunk of new blobs; readers take it from each blob's row. Tests change it.</summary>
    internal int ChunkSize { get; set; } = 256 * 1024;

    /// <inheritdoc/>
    public async ValueTask<IBlobWriter> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectId.ThrowIfInvalid(name, nameof(name));
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return new Writer(this, db, name, ChunkSize);
    }

    /// <inheritdoc/>
    public async ValueTask<IBlobReader?> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectId.ThrowIfInvalid(name, nameof(name));
        var row = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new Reader(_contexts, row);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectId.ThrowIfInvalid(name, nameof(name));
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var row = await db.Set<BlobRow>().AsNoTracking().SingleOrDefaultAsync(b => b.Name == name, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    return false;
                }

                // Conditional on the blob id: of two concurrent deletes, one deletes and reports it.
                var deleted = await db.Set<BlobRow>().Where(b => b.Name == name && b.BlobId == row.BlobId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Set<BlobChunkRow>().Where(c => c.BlobId == row.BlobId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return deleted > 0;
            }
        }
    }

    private async Task<BlobRow?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Set<BlobRow>().AsNoTracking().SingleOrDefaultAsync(b => b.Name == name, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Writer(EfCoreBlobStore<TContext> store, TContext db, string name, int chunkSize) : IBlobWriter
    {
        private readonly Guid _blobId = Guid.NewGuid();
        private readonly byte[] _buffer = new byte[chunkSize];
        private IDbContextTransaction? _transaction;
        private int _filled;
        private int _next;
        private long _length;
        private bool _done;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            while (!data.IsEmpty)
            {
                var take = Math.Min(data.Length, _buffer.Length - _filled);
                data.Span[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                _length += take;
                data = data[take..];
                if (_filled == _buffer.Length)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public async ValueTask<bool> CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_filled > 0)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            db.Add(new BlobRow { Name = name, BlobId = _blobId, Length = _length, ChunkSize = _buffer.Length });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Most likely another writer committed this name first; its blob stays, this one is rolled back.
                await DisposeAsync().ConfigureAwait(false);
                if (await store.FindAsync(name, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return false;
                }

                throw;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            await DisposeAsync().ConfigureAwait(false);
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            if (_transaction is not null)
            {
                // Disposing an uncommitted transaction rolls it back: the chunks written so far go with it.
                await _transaction.DisposeAsync().ConfigureAwait(false);
            }

            await db.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask<IDbContextTransaction> BeginAsync(CancellationToken cancellationToken)
            => _transaction ??= await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        private async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            await BeginAsync(cancellationToken).ConfigureAwait(false);
            db.Add(new BlobChunkRow { BlobId = _blobId, Number = _next, Data = _buffer.AsSpan(0, _filled).ToArray() });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear(); // memory stays one chunk, whatever the blob's size
            _next++;
            _filled = 0;
        }
    }

    private sealed class Reader(IDbContextFactory<TContext> contexts, BlobRow row) : IBlobReader
    {
        private byte[]? _chunk;
        private long _chunkNumber = -1;

        public long Length => row.Length;

        public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            if (offset >= row.Length || buffer.IsEmpty)
            {
                return 0;
            }

            var number = offset / row.ChunkSize;
            if (number != _chunkNumber)
            {
                _chunk = null;
                _chunk = await LoadAsync((int)number, cancellationToken).ConfigureAwait(false);
                _chunkNumber = number;
            }

            var within = (int)(offset - (number * row.ChunkSize));
            var count = Math.Min(buffer.Length, _chunk!.Length - within);
            if (count <= 0)
            {
                return 0; // a chunk shorter than its row promises: the reader of the object reports it as incomplete
            }

            _chunk.AsSpan(within, count).CopyTo(buffer.Span);
            return count;
        }

        public ValueTask DisposeAsync()
        {
            _chunk = null;
            return ValueTask.CompletedTask;
        }

        private async Task<byte[]> LoadAsync(int number, CancellationToken cancellationToken)
        {
            // A context per chunk: a reader served slowly (an audio player) holds no connection between reads.
            var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (db.ConfigureAwait(false))
            {
                return await db.Set<BlobChunkRow>().AsNoTracking()
                    .Where(c => c.BlobId == row.BlobId && c.Number == number)
                    .Select(c => c.Data)
                    .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new EncryptedObjectNotFoundException(row.Name); // deleted (erased) while being read
            }
        }
    }
}
