using System.Buffers;
using System.Security.Cryptography;

namespace Gdpr.Streams;

/// <summary>
/// Encrypts what is written into it, one segment at a time: a plaintext buffer of one segment and a ciphertext
/// buffer of one sealed segment, whatever the object's size. A full segment is sealed only when more bytes arrive
/// (or at <see cref="CompleteAsync"/>), because only then is it known whether it is the final one.
/// </summary>
internal sealed class EncryptedWriteStream : EncryptedObjectWriteStream
{
    private readonly SegmentCipher _cipher;
    private readonly IBlobWriter _blob;
    private readonly byte[] _plaintext;
    private readonly byte[] _sealed;
    private int _filled;
    private long _segment;
    private long _written;
    private State _state;

    private EncryptedWriteStream(SegmentCipher cipher, IBlobWriter blob)
    {
        _cipher = cipher;
        _blob = blob;
        _plaintext = ArrayPool<byte>.Shared.Rent(cipher.Header.SegmentSize);
        _sealed = ArrayPool<byte>.Shared.Rent(cipher.Stride);
    }

    private enum State
    {
        Open,
        Completed,

        // The blob store threw: what it holds is discarded, never committed.
        Failed,
        Disposed,
    }

    public override string ObjectId => _cipher.Header.ObjectId;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _state == State.Open;

    public override long Length => throw new NotSupportedException("An encrypted object's write stream cannot tell its length; read the object back for it.");

    /// <summary>Gets the plaintext bytes written so far.</summary>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException("An encrypted object is written front to back.");
    }

    /// <summary>Writes the header; the caller owns <paramref name="cipher"/> and <paramref name="blob"/> until this returns.</summary>
    public static async ValueTask<EncryptedWriteStream> StartAsync(SegmentCipher cipher, IBlobWriter blob, CancellationToken cancellationToken)
    {
        await blob.WriteAsync(cipher.Header.Bytes, cancellationToken).ConfigureAwait(false);
        return new EncryptedWriteStream(cipher, blob);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Synchronous callers (a ZipArchive entry, CopyTo) go through the same path; the blob store is async.
        while (!buffer.IsEmpty)
        {
            var write = Step(buffer, out var consumed, CancellationToken.None);
            buffer = buffer[consumed..];
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
            }
            else
            {
                write.AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    // The path a copy takes once per segment stays synchronous while the blob store completes synchronously (the
    // file-system store does): an async method there cost a state machine per segment (a heap object in Debug
    // builds, a pooled box whenever the store really suspends), most of what a copy allocated (StreamMemoryTests).
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var write = Step(buffer.Span, out var consumed, cancellationToken);
            buffer = buffer[consumed..];
            if (!write.IsCompletedSuccessfully)
            {
                return WriteRestAsync(write, buffer, cancellationToken);
            }

            write.GetAwaiter().GetResult();
        }

        return default;
    }

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        await SealAndWriteAsync(_plaintext.AsSpan(0, _filled), final: true, buffered: true, cancellationToken).ConfigureAwait(false);
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        _state = State.Completed;
    }

    /// <summary>A no-op: a segment is sealed only once it is full or the object completes.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("An encrypted object's write stream cannot be read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An encrypted object is written front to back.");

    public override void SetLength(long value) => throw new NotSupportedException("An encrypted object is written front to back.");

    public override async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        try
        {
            if (_state == State.Open)
            {
                // Abandoned: commit what was written with no final segment, so the object reads as incomplete
                // rather than as a shorter valid file (or vanishing without a trace).
                try
                {
                    if (_filled > 0)
                    {
                        await SealAndWriteAsync(_plaintext.AsSpan(0, _filled), final: false, buffered: true, CancellationToken.None).ConfigureAwait(false);
                    }

                    await CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Dispose does not throw: a store failing now commits nothing, which no reader takes for a valid file either.
                catch (Exception)
#pragma warning restore CA1031
                {
                    _state = State.Failed;
                }
            }
        }
        finally
        {
            try
            {
                await _blob.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _state = State.Disposed;
                Release();
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _state != State.Disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// One step of a write. A full buffered segment is sealed (more input follows, so it is not the final one); with
    /// nothing buffered and more than a segment of input, a segment is sealed straight from the input (one copy of
    /// the plaintext fewer); otherwise the input is buffered.
    /// </summary>
    private ValueTask Step(ReadOnlySpan<byte> input, out int consumed, CancellationToken cancellationToken)
    {
        ThrowIfNotOpen();
        var size = _cipher.Header.SegmentSize;
        if (_filled == size)
        {
            consumed = 0;
            return SealAndWriteAsync(_plaintext.AsSpan(0, size), final: false, buffered: true, cancellationToken);
        }

        if (_filled == 0 && input.Length > size)
        {
            consumed = size;
            _written += size;
            return SealAndWriteAsync(input[..size], final: false, buffered: false, cancellationToken);
        }

        consumed = Math.Min(size - _filled, input.Length);
        input[..consumed].CopyTo(_plaintext.AsSpan(_filled));
        _filled += consumed;
        _written += consumed;
        return default;
    }

    /// <summary>Seals one segment and hands it to the blob store; <paramref name="buffered"/> says the plaintext is ours to wipe.</summary>
    private ValueTask SealAndWriteAsync(ReadOnlySpan<byte> plaintext, bool final, bool buffered, CancellationToken cancellationToken)
    {
        if (_segment >= _cipher.Header.MaxSegments)
        {
            throw new IOException($"The encrypted object {ObjectId} has reached the most segments its algorithm's nonce can number.");
        }

        var length = plaintext.Length + _cipher.TagSize;
        _cipher.Seal(_segment, final, plaintext, _sealed);
        if (buffered)
        {
            CryptographicOperations.ZeroMemory(_plaintext.AsSpan(0, _filled));
            _filled = 0;
        }

        _segment++;
        ValueTask write;
        try
        {
            write = _blob.WriteAsync(_sealed.AsMemory(0, length), cancellationToken);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                return default;
            }
        }
        catch
        {
            _state = State.Failed;
            throw;
        }

        return AwaitWriteAsync(write);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitWriteAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteRestAsync(ValueTask pending, ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        await pending.ConfigureAwait(false);
        await WriteAsync(rest, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        bool committed;
        try
        {
            committed = await _blob.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }

        if (!committed)
        {
            _state = State.Failed;
            throw new EncryptedObjectExistsException(ObjectId);
        }
    }

    private void ThrowIfNotOpen()
    {
        ObjectDisposedException.ThrowIf(_state == State.Disposed, this);
        if (_state != State.Open)
        {
            throw new InvalidOperationException(_state == State.Completed
                ? $"The encrypted object {ObjectId} is complete; it cannot be written to."
                : $"Writing the encrypted object {ObjectId} failed in the blob store; nothing of it was committed.");
        }
    }

    private void Release()
    {
        CryptographicOperations.ZeroMemory(_plaintext);
        ArrayPool<byte>.Shared.Return(_plaintext);
        ArrayPool<byte>.Shared.Return(_sealed);
        _cipher.Dispose();
    }
}
