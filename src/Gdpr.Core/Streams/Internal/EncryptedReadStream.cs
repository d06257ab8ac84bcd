using System.Buffers;
using System.Security.Cryptography;

namespace Gdpr.Streams;

/// <summary>
/// A seekable read stream over an encrypted object. It keeps one decrypted segment; a read decrypts the segment
/// under the position (if it is not the one kept) and copies from it, so a seek costs nothing and a read of a few
/// bytes in the middle of a large object decrypts one segment.
/// </summary>
internal sealed class EncryptedReadStream : Stream
{
    private readonly SegmentCipher _cipher;
    private readonly IBlobReader _blob;
    private readonly Func<IntegrityFailure, long?, Exception> _failed;
    private readonly long _segmentCount;
    private readonly int _lastSealedLength;
    private readonly byte[] _plaintext;
    private readonly byte[] _sealed;
    private long _cached = -1;
    private int _cachedLength;
    private long _position;
    private bool _disposed;

    private EncryptedReadStream(SegmentCipher cipher, IBlobReader blob, long segmentCount, int lastSealedLength, Func<IntegrityFailure, long?, Exception> failed)
    {
        _cipher = cipher;
        _blob = blob;
        _failed = failed;
        _segmentCount = segmentCount;
        _lastSealedLength = lastSealedLength;
        Length = ((segmentCount - 1) * cipher.Header.SegmentSize) + lastSealedLength - cipher.TagSize;
        _plaintext = ArrayPool<byte>.Shared.Rent(cipher.Header.SegmentSize);
        _sealed = ArrayPool<byte>.Shared.Rent(cipher.Stride);
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    /// <summary>Gets the plaintext length, known from the blob's length and checked against the final segment at open.</summary>
    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ObjectDisposedException.ThrowIf(_disposed, this);
            _position = value;
        }
    }

    /// <summary>
    /// Checks the layout and the final segment (which authenticates the header, through its hash): a cut, an extended
    /// or an abandoned object fails here, before the caller sees a length. Takes ownership of the cipher and the blob
    /// only when it returns; it owns the cipher from the start.
    /// </summary>
    public static async ValueTask<EncryptedReadStream> OpenAsync(SegmentCipher cipher, IBlobReader blob, Func<IntegrityFailure, long?, Exception> failed, CancellationToken cancellationToken)
    {
        var body = blob.Length - cipher.Header.Bytes.Length;
        var stride = cipher.Stride;
        var count = Math.Max(1, (body + stride - 1) / stride);
        var last = body - ((count - 1) * stride);
        var stream = new EncryptedReadStream(cipher, blob, count, (int)Math.Clamp(last, 0, stride), failed);
        try
        {
            if (last >= cipher.TagSize && await stream.TryLoadAsync(count - 1, final: true, cancellationToken).ConfigureAwait(false))
            {
                return stream;
            }

            throw failed(await stream.DiagnoseAsync(count, last, cancellationToken).ConfigureAwait(false), count - 1);
        }
        catch
        {
            stream.ReleaseBuffers();
            throw;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        // Synchronous readers (ZipArchive, CopyTo) share the async path; the blob store is async.
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, buffer.Length));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Reads from the segment under the position: at most to that segment's end. At or past the end, returns 0.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= Length)
        {
            return new ValueTask<int>(0);
        }

        var segment = _position / _cipher.Header.SegmentSize;
        if (segment == _cached)
        {
            return new ValueTask<int>(CopyOut(buffer.Span));
        }

        // A whole segment asked for from its start: decrypted straight into the caller's buffer (one copy fewer).
        var final = segment == _segmentCount - 1;
        var plaintextLength = (final ? _lastSealedLength : _cipher.Stride) - _cipher.TagSize;
        var direct = _position == segment * _cipher.Header.SegmentSize && buffer.Length >= plaintextLength;

        // Synchronous while the blob store is (see EncryptedWriteStream.WriteAsync for why).
        var load = TryLoadAsync(segment, final, direct ? buffer : default, cancellationToken);
        if (!load.IsCompletedSuccessfully)
        {
            return ReadLoadingAsync(load, segment, direct ? plaintextLength : -1, buffer);
        }

        return load.Result ? new ValueTask<int>(Advance(direct ? plaintextLength : -1, buffer.Span)) : throw _failed(IntegrityFailure.AuthenticationFailed, segment);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };

        // Past the end is allowed, as on a FileStream (reads there return 0); before the start is not.
        if (target < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), "A seek before the start of an encrypted object.");
        }

        Position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("An encrypted object cannot be changed.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("An encrypted object cannot be changed.");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                await _blob.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                ReleaseBuffers();
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadLoadingAsync(ValueTask<bool> load, long segment, int direct, Memory<byte> buffer)
    {
        if (!await load.ConfigureAwait(false))
        {
            throw _failed(IntegrityFailure.AuthenticationFailed, segment);
        }

        return Advance(direct, buffer.Span);
    }

    /// <summary>After a load: past the bytes decrypted into the caller's buffer (<paramref name="direct"/> ≥ 0), or copies from the kept segment.</summary>
    private int Advance(int direct, Span<byte> destination)
    {
        if (direct < 0)
        {
            return CopyOut(destination);
        }

        _position += direct;
        return direct;
    }

    private int CopyOut(Span<byte> destination)
    {
        var at = (int)(_position - (_cached * _cipher.Header.SegmentSize));
        var count = Math.Min(destination.Length, _cachedLength - at);
        _plaintext.AsSpan(at, count).CopyTo(destination);
        _position += count;
        return count;
    }

    /// <summary>Reads and decrypts one segment into the kept plaintext; false when it does not authenticate as that segment.</summary>
    private ValueTask<bool> TryLoadAsync(long segment, bool final, CancellationToken cancellationToken)
        => TryLoadAsync(segment, final, default, cancellationToken);

    /// <summary>As above, into <paramref name="destination"/> instead when it is not empty (the segment is then not kept).</summary>
    private ValueTask<bool> TryLoadAsync(long segment, bool final, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var length = segment == _segmentCount - 1 ? _lastSealedLength : _cipher.Stride;
        var offset = _cipher.Header.Bytes.Length + (segment * _cipher.Stride);
        _cached = -1;
        var read = _blob.ReadAtAsync(offset, _sealed.AsMemory(0, length), cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            var count = read.Result;
            return count == length ? new ValueTask<bool>(Open(segment, final, length, destination)) : TryLoadRestAsync(new ValueTask<int>(count), offset, segment, final, length, destination, cancellationToken);
        }

        return TryLoadRestAsync(read, offset, segment, final, length, destination, cancellationToken);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> TryLoadRestAsync(ValueTask<int> first, long offset, long segment, bool final, int length, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = await first.ConfigureAwait(false);
        while (filled < length)
        {
            if (filled == 0 && length > 0)
            {
                return false; // the blob shrank under us
            }

            var read = await _blob.ReadAtAsync(offset + filled, _sealed.AsMemory(filled, length - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return Open(segment, final, length, destination);
    }

    private bool Open(long segment, bool final, int length, Memory<byte> destination)
    {
        if (!destination.IsEmpty)
        {
            return _cipher.TryOpen(segment, final, _sealed.AsSpan(0, length), destination.Span);
        }

        if (!_cipher.TryOpen(segment, final, _sealed.AsSpan(0, length), _plaintext))
        {
            return false;
        }

        _cached = segment;
        _cachedLength = length - _cipher.TagSize;
        return true;
    }

    /// <summary>Why the last segment did not open as final: an authentic non-final one (cut or abandoned), or an authentic final one before it (extended).</summary>
    private async ValueTask<IntegrityFailure> DiagnoseAsync(long count, long last, CancellationToken cancellationToken)
    {
        if (last >= _cipher.TagSize && await TryLoadAsync(count - 1, final: false, cancellationToken).ConfigureAwait(false))
        {
            return IntegrityFailure.Incomplete;
        }

        if (count >= 2 && await TryLoadAsync(count - 2, final: true, cancellationToken).ConfigureAwait(false))
        {
            return IntegrityFailure.Extended;
        }

        if (count >= 2 && last < _cipher.TagSize && await TryLoadAsync(count - 2, final: false, cancellationToken).ConfigureAwait(false))
        {
            // A few bytes after a full, authentic, non-final segment: cut inside the segment that followed.
            return IntegrityFailure.Incomplete;
        }

        if (count == 1 && last < _cipher.TagSize)
        {
            return IntegrityFailure.Incomplete; // a header with nothing (or less than a tag) after it
        }

        return IntegrityFailure.AuthenticationFailed;
    }

    private void ReleaseBuffers()
    {
        CryptographicOperations.ZeroMemory(_plaintext);
        ArrayPool<byte>.Shared.Return(_plaintext);
        ArrayPool<byte>.Shared.Return(_sealed);
        _cipher.Dispose();
    }
}
