using System.Security.Cryptography;
using Gdpr.Diagnostics;
using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Streams;

/// <summary>
/// Opens encrypted objects: acquires the subject's data key for the scope (as field encryption does), derives the
/// object's key from it, and hands the key to a write or read stream over the blob store. No per-object key is
/// stored anywhere: shredding the scope's data key makes every object under it unreadable.
/// </summary>
internal sealed class EncryptedObjectStore : IEncryptedObjectStore
{
    private readonly SubjectKeyManager _keys;
    private readonly IBlobStore _blobs;
    private readonly GdprMetrics _metrics;
    private readonly ILogger _logger;
    private readonly FieldEncryptionAlgorithm _algorithm;

    public EncryptedObjectStore(SubjectKeyManager keys, IBlobStore blobs, IOptions<GdprOptions> options, GdprMetrics metrics, ILogger<EncryptedObjectStore>? logger = null)
    {
        _keys = keys;
        _blobs = blobs;
        _metrics = metrics;
        _algorithm = options.Value.Algorithm;
        _logger = logger ?? NullLogger<EncryptedObjectStore>.Instance;
    }

    /// <summary>Gets or sets the plaintext bytes per segment of new objects; readers take it from each object's header. Tests change it.</summary>
    internal int SegmentSize { get; set; } = StreamHeader.DefaultSegmentSize;

    public async ValueTask<EncryptedObjectWriteStream> OpenWriteAsync(EncryptedObjectAddress address, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(address);
        // Checked first so that a recording is not copied in full before its commit finds the id taken.
        var existing = await _blobs.OpenAsync(address.ObjectId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            await existing.DisposeAsync().ConfigureAwait(false);
            throw new EncryptedObjectExistsException(address.ObjectId);
        }

        var cipher = await CreateCipherAsync(address, header: null, cancellationToken).ConfigureAwait(false);
        IBlobWriter? blob = null;
        try
        {
            blob = await _blobs.CreateAsync(address.ObjectId, cancellationToken).ConfigureAwait(false);
            return await EncryptedWriteStream.StartAsync(cipher, blob, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            cipher.Dispose();
            if (blob is not null)
            {
                await blob.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask<Stream> OpenReadAsync(EncryptedObjectAddress address, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(address);
        var blob = await _blobs.OpenAsync(address.ObjectId, cancellationToken).ConfigureAwait(false)
            ?? throw new EncryptedObjectNotFoundException(address.ObjectId);
        try
        {
            var header = await ReadHeaderAsync(address, blob, cancellationToken).ConfigureAwait(false);
            var cipher = await CreateCipherAsync(address, header, cancellationToken).ConfigureAwait(false);
            var pseudonym = _keys.GetPseudonym(address.SubjectId).Value;
            return await EncryptedReadStream.OpenAsync(cipher, blob, (failure, segment) => Failed(address, pseudonym, failure, segment), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await blob.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask<bool> DeleteAsync(string objectId, CancellationToken cancellationToken = default)
    {
        ObjectId.ThrowIfInvalid(objectId);
        return _blobs.DeleteAsync(objectId, cancellationToken);
    }

    private static void ThrowIfInvalid(in EncryptedObjectAddress address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address.Scope, "scope");
        ObjectId.ThrowIfInvalid(address.ObjectId, "objectId");
    }

    private async ValueTask<StreamHeader> ReadHeaderAsync(EncryptedObjectAddress address, IBlobReader blob, CancellationToken cancellationToken)
    {
        var start = new byte[(int)Math.Min(StreamHeader.MaxSize, blob.Length)];
        var filled = 0;
        while (filled < start.Length)
        {
            var read = await blob.ReadAtAsync(filled, start.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        var failure = StreamHeader.TryParse(start.AsSpan(0, filled), out var header);
        if (failure is not null)
        {
            throw Failed(address, _keys.GetPseudonym(address.SubjectId).Value, failure.Value, null);
        }

        if (!string.Equals(header!.ObjectId, address.ObjectId, StringComparison.Ordinal))
        {
            throw Failed(address, _keys.GetPseudonym(address.SubjectId).Value, IntegrityFailure.WrongObject, null);
        }

        return header;
    }

    /// <summary>
    /// The object's cipher: for writing (<paramref name="header"/> null) under the live key and a new header; for
    /// reading under the key version the header names, which may be erased, unknown, or newer than the cache knows.
    /// </summary>
    private async ValueTask<SegmentCipher> CreateCipherAsync(EncryptedObjectAddress address, StreamHeader? header, CancellationToken cancellationToken)
    {
        var forWriting = header is null;
        for (var attempt = 0; ; attempt++)
        {
            // First the cache; then, for a version the cache does not hold, the store; last a private entry, which a
            // concurrent shred cannot dispose under us.
            using var lease = await _keys.AcquireAsync(address.SubjectId, address.Scope, forWriting, refresh: attempt > 0, cancellationToken, share: attempt < 2).ConfigureAwait(false);
            var entry = lease.Entry;
            try
            {
                if (header is not null && header.KeyVersion != (uint)entry.LiveVersion)
                {
                    if (header.KeyVersion >= 1 && header.KeyVersion <= (uint)entry.LastShreddedVersion)
                    {
                        throw new EncryptedObjectErasedException(address.ObjectId, address.Scope, entry.Pseudonym.Value);
                    }

                    if (attempt == 0 && header.KeyVersion > (uint)Math.Max(entry.LiveVersion, entry.LastShreddedVersion))
                    {
                        continue; // another node may have created the key after this one cached the scope
                    }

                    throw Failed(address, entry.Pseudonym.Value, IntegrityFailure.UnknownKeyVersion, null);
                }

                var used = header ?? StreamHeader.Create(_algorithm, entry.LiveVersion, SegmentSize, address.ObjectId);
                return Derive(entry, used);
            }
            catch (ObjectDisposedException) when (attempt < 2)
            {
                // Shredded or evicted between load and use: load again (the last time privately).
            }
        }
    }

    private static SegmentCipher Derive(DataKeyEntry entry, StreamHeader header)
    {
        Span<byte> key = stackalloc byte[32];
        try
        {
            entry.DeriveObjectKey(header.Salt, header.GetKeyInfo(), key);
            return new SegmentCipher(header, FieldCipher.Create(header.Algorithm, key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private EncryptedObjectIntegrityException Failed(in EncryptedObjectAddress address, string pseudonym, IntegrityFailure failure, long? segment)
    {
        DiagnosticsLog.IntegrityFailed(_logger, "object " + address.ObjectId, pseudonym, failure);
        _metrics.IntegrityFailures.Add(1, new KeyValuePair<string, object?>("gdpr.failure", failure.ToString()));
        return new EncryptedObjectIntegrityException(address.ObjectId, pseudonym, failure, segment);
    }
}
