using Gdpr.Encryption.Infrastructure;
using Gdpr.Diagnostics;
using Gdpr.Encryption.Internal;
using Gdpr.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.Encryption;

/// <summary>
/// Field encryption with per-(subject, scope) data keys. The synchronous span methods only touch the key cache and
/// allocate nothing; the async methods load or create keys first.
/// </summary>
// The associated data is built in a stack buffer that is fully overwritten before use; zeroing it first is waste.
[System.Runtime.CompilerServices.SkipLocalsInit]
internal sealed class FieldEncryptor : ICachedFieldEncryptor
{
    // Associated data up to this size is built on the stack; longer field names fall back to the heap.
    private const int StackAssociatedDataLimit = 512;

    // Typed values this short (in UTF-16 units, or plaintext bytes) are encoded and decoded on the stack.
    private const int StackTextLimit = 128;
    private const int StackPlaintextLimit = 512;

    private readonly SubjectKeyManager _keys;
    private readonly ILogger _logger;

    private readonly GdprMetrics _metrics;

    public FieldEncryptor(SubjectKeyManager keys, IOptions<GdprOptions> options, GdprMetrics metrics, ILogger<FieldEncryptor>? logger = null)
    {
        _metrics = metrics;
        _keys = keys;
        Algorithm = options.Value.Algorithm;
        _logger = logger ?? NullLogger<FieldEncryptor>.Instance;
    }

    public FieldEncryptionAlgorithm Algorithm { get; }

    public int GetEnvelopeLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return Envelope.GetLength(Algorithm, plaintextLength);
    }

    public int GetPlaintextLength(ReadOnlySpan<byte> envelope)
        => Envelope.TryReadHeader(envelope, out _, out _, out var length) is null ? length : -1;

    public async ValueTask PrepareAsync(string subjectId, string scope, bool forWriting, CancellationToken cancellationToken = default)
    {
        using var lease = await _keys.AcquireAsync(subjectId, scope, forWriting, refresh: false, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask PrepareManyAsync(IReadOnlyList<(string SubjectId, string Scope)> keys, bool forWriting, CancellationToken cancellationToken = default)
        => _keys.PrepareManyAsync(keys, forWriting, cancellationToken);

    public bool TryEncrypt(in FieldAddress field, ReadOnlySpan<byte> plaintext, Span<byte> envelope, out int bytesWritten)
    {
        bytesWritten = 0;
        ThrowIfInvalid(field);
        if (!_keys.Cache.TryGet(field.SubjectId, field.Scope, out var entry) || !entry.HasLiveKey)
        {
            return false;
        }

        try
        {
            bytesWritten = EncryptCore(entry, field, plaintext, envelope);
            return true;
        }
        catch (ObjectDisposedException)
        {
            // Shredded or evicted while we encrypted: the caller goes the async way and gets a current key.
            envelope.Clear();
            bytesWritten = 0;
            return false;
        }
    }

    public FieldReadStatus TryDecrypt(in FieldAddress field, ReadOnlySpan<byte> envelope, Span<byte> plaintext, out int bytesWritten)
    {
        bytesWritten = 0;
        ThrowIfInvalid(field);
        if (!_keys.Cache.TryGet(field.SubjectId, field.Scope, out var entry))
        {
            return FieldReadStatus.KeyNotCached;
        }

        try
        {
            return DecryptCore(entry, field, envelope, plaintext, cacheMayBeStale: true, out bytesWritten);
        }
        catch (ObjectDisposedException)
        {
            plaintext.Clear();
            return FieldReadStatus.KeyNotCached;
        }
    }

    public async ValueTask<byte[]> EncryptAsync(FieldAddress field, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        var envelope = new byte[GetEnvelopeLength(plaintext.Length)];
        if (TryEncrypt(field, plaintext.Span, envelope, out _))
        {
            return envelope;
        }

        for (var shared = true; ; shared = false)
        {
            using var lease = await _keys.AcquireAsync(field.SubjectId, field.Scope, forWriting: true, refresh: !shared, cancellationToken, share: shared).ConfigureAwait(false);
            try
            {
                EncryptCore(lease.Entry, field, plaintext.Span, envelope);
                return envelope;
            }
            catch (ObjectDisposedException) when (shared)
            {
                // Shredded between load and use. Load again, privately: a private entry cannot be disposed under us.
            }
        }
    }

    public async ValueTask<FieldValue<byte[]>> DecryptAsync(FieldAddress field, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        var length = GetPlaintextLengthOrThrow(field, envelope.Span);
        var plaintext = new byte[length];
        var status = TryDecrypt(field, envelope.Span, plaintext, out _);
        for (var shared = true; status == FieldReadStatus.KeyNotCached; shared = false)
        {
            // A miss, an expired entry, or a key version newer than the cache knows (another node created it): ask the store.
            using var lease = await _keys.AcquireAsync(field.SubjectId, field.Scope, forWriting: false, refresh: true, cancellationToken, share: shared).ConfigureAwait(false);
            try
            {
                status = DecryptCore(lease.Entry, field, envelope.Span, plaintext, cacheMayBeStale: false, out _);
            }
            catch (ObjectDisposedException) when (shared)
            {
                // Shredded between load and use. Load again, privately; that load sees the tombstone and answers "erased".
            }
        }

        return status == FieldReadStatus.Erased ? FieldValue<byte[]>.Erased : FieldValue<byte[]>.Decrypted(plaintext);
    }

    public ValueTask<byte[]> EncryptValueAsync<T>(FieldAddress field, T value, CancellationToken cancellationToken = default)
        where T : notnull
    {
        if (value is string text)
        {
            // A short string with a cached key completes here: encoded on the stack, encrypted into the envelope,
            // which is the only allocation. Anything else takes the async path, which loads or creates the key.
            if (text.Length <= StackTextLimit && TryEncryptString(field, text, out var envelope))
            {
                return new ValueTask<byte[]>(envelope);
            }

            return EncryptStringAsync(field, text, cancellationToken);
        }

        return EncryptBytesAsync(field, PersonalDataValueCodec.ToBytes(value), cancellationToken);
    }

    public ValueTask<FieldValue<T>> DecryptValueAsync<T>(FieldAddress field, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
        where T : notnull
    {
        var length = GetPlaintextLengthOrThrow(field, envelope.Span);
        if (length <= StackPlaintextLimit)
        {
            // With a cached key the value is decoded straight from a stack buffer: no plaintext array, no Task.
            Span<byte> buffer = stackalloc byte[StackPlaintextLimit];
            try
            {
                var status = TryDecrypt(field, envelope.Span, buffer, out var written);
                if (status == FieldReadStatus.Erased)
                {
                    return new ValueTask<FieldValue<T>>(FieldValue<T>.Erased);
                }

                if (status == FieldReadStatus.Decrypted)
                {
                    return new ValueTask<FieldValue<T>>(FieldValue<T>.Decrypted(PersonalDataValueCodec.FromBytes<T>(buffer[..written])));
                }
            }
            finally
            {
                buffer[..length].Clear();
            }
        }

        return DecryptValueLoadingKeyAsync<T>(field, envelope, cancellationToken);
    }

    private bool TryEncryptString(in FieldAddress field, string text, out byte[] envelope)
    {
        Span<byte> buffer = stackalloc byte[StackPlaintextLimit]; // holds the UTF-8 of StackTextLimit UTF-16 units
        var length = 0;
        try
        {
            length = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(text, buffer);
            envelope = new byte[GetEnvelopeLength(length)];
            return TryEncrypt(field, buffer[..length], envelope, out _);
        }
        finally
        {
            // All of it when the encoder threw (a lone surrogate) after writing part of the text.
            buffer[..(length > 0 ? length : buffer.Length)].Clear();
        }
    }

    private async ValueTask<byte[]> EncryptBytesAsync(FieldAddress field, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await EncryptAsync(field, bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private async ValueTask<FieldValue<T>> DecryptValueLoadingKeyAsync<T>(FieldAddress field, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
        where T : notnull
    {
        var result = await DecryptAsync(field, envelope, cancellationToken).ConfigureAwait(false);
        if (result.IsErased)
        {
            return FieldValue<T>.Erased;
        }

        try
        {
            return FieldValue<T>.Decrypted(PersonalDataValueCodec.FromBytes<T>(result.Value));
        }
        finally
        {
            Array.Clear(result.Value!);
        }
    }

    private async ValueTask<byte[]> EncryptStringAsync(FieldAddress field, string text, CancellationToken cancellationToken)
    {
        // Long strings, or a key not yet cached: through a pooled buffer, so the only allocation is the envelope itself.
        var max = Gdpr.Internal.StrictUtf8.Encoding.GetMaxByteCount(text.Length);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        var length = 0;
        try
        {
            length = Gdpr.Internal.StrictUtf8.Encoding.GetBytes(text, buffer);
            return await EncryptAsync(field, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(buffer, 0, length > 0 ? length : max);
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The checks the async methods make (through the key manager), made here too so that the span methods refuse
    /// what the async ones refuse instead of answering "not cached": a null or empty scope, a null or blank subject id.
    /// Only what is O(1) on the hot path; the subject id's full validation runs when its key is loaded.
    /// </summary>
    private static void ThrowIfInvalid(in FieldAddress field)
    {
        if (string.IsNullOrEmpty(field.Scope))
        {
            throw new ArgumentException("A field address needs a scope (a retention policy's name).", nameof(field));
        }

        if (string.IsNullOrWhiteSpace(field.SubjectId))
        {
#pragma warning disable CA2208 // named after the address's subject id, as every other subject-id error of the SDK
            throw new ArgumentException("A field address needs a data subject id.", "subjectId");
#pragma warning restore CA2208
        }
    }

    private int EncryptCore(DataKeyEntry entry, in FieldAddress field, ReadOnlySpan<byte> plaintext, Span<byte> envelope)
    {
        var cipher = entry.GetCipher(Algorithm);
        var length = Envelope.HeaderSize + cipher.NonceSize + plaintext.Length + cipher.TagSize;
        if (envelope.Length < length)
        {
            throw new ArgumentException($"The destination holds {envelope.Length} bytes; the envelope of {field.Field} needs {length}.", nameof(envelope));
        }

        Envelope.WriteHeader(envelope, Algorithm, entry.LiveVersion);
        var nonce = envelope.Slice(Envelope.HeaderSize, cipher.NonceSize);
        NonceSource.Fill(nonce);

        var ciphertext = envelope.Slice(Envelope.HeaderSize + cipher.NonceSize, plaintext.Length + cipher.TagSize);

        // Built on every call (a few copies and an ASCII conversion) rather than remembered: see DecryptCore.
        var adLength = Envelope.GetMaxAssociatedDataLength(entry.AssociatedDataPrefix.Length, field);
        byte[]? heap = adLength > StackAssociatedDataLimit ? new byte[adLength] : null;
        Span<byte> ad = heap is null ? stackalloc byte[StackAssociatedDataLimit] : heap;
        adLength = Envelope.WriteAssociatedData(ad, envelope, entry.AssociatedDataPrefix, field);
        cipher.Encrypt(nonce, ad[..adLength], plaintext, ciphertext);
        return length;
    }

    private FieldReadStatus DecryptCore(DataKeyEntry entry, in FieldAddress field, ReadOnlySpan<byte> envelope, Span<byte> plaintext, bool cacheMayBeStale, out int bytesWritten)
    {
        bytesWritten = 0;
        var failure = Envelope.TryReadHeader(envelope, out var algorithm, out var keyVersion, out var length);
        if (failure is not null)
        {
            throw IntegrityFailed(entry, field, failure.Value);
        }

        if (keyVersion != (uint)entry.LiveVersion || !entry.HasLiveKey)
        {
            if (keyVersion >= 1 && keyVersion <= (uint)entry.LastShreddedVersion)
            {
                return FieldReadStatus.Erased;
            }

            // Newer than anything this cache knows: another node may have created it since we cached. Let the caller reload.
            if (cacheMayBeStale && keyVersion > (uint)Math.Max(entry.LiveVersion, entry.LastShreddedVersion))
            {
                return FieldReadStatus.KeyNotCached;
            }

            throw IntegrityFailed(entry, field, IntegrityFailure.UnknownKeyVersion);
        }

        if (plaintext.Length < length)
        {
            throw new ArgumentException($"The destination holds {plaintext.Length} bytes; the value of {field.Field} needs {length}.", nameof(plaintext));
        }

        var cipher = entry.GetCipher(algorithm);

        // Built on every call from the header just checked, the entry's pseudonym-and-scope prefix and the field
        // name. It used to be remembered per key entry and field, which made a query over many subjects follow
        // three more pointers per value into entries no longer in the CPU cache (EfCoreBenchmarks' read of 10,000
        // subjects: ~10% longer); a loop over one subject's field gained nothing measurable from it.
        var maxLength = Envelope.GetMaxAssociatedDataLength(entry.AssociatedDataPrefix.Length, field);
        Span<byte> buffer = maxLength <= StackAssociatedDataLimit ? stackalloc byte[StackAssociatedDataLimit] : new byte[maxLength];
        ReadOnlySpan<byte> ad = buffer[..Envelope.WriteAssociatedData(buffer, envelope, entry.AssociatedDataPrefix, field)];

        var nonce = envelope.Slice(Envelope.HeaderSize, cipher.NonceSize);
        if (!cipher.Decrypt(nonce, ad, envelope[(Envelope.HeaderSize + cipher.NonceSize)..], plaintext[..length]))
        {
            throw IntegrityFailed(entry, field, IntegrityFailure.AuthenticationFailed);
        }

        bytesWritten = length;
        return FieldReadStatus.Decrypted;
    }

    private int GetPlaintextLengthOrThrow(in FieldAddress field, ReadOnlySpan<byte> envelope)
    {
        var failure = Envelope.TryReadHeader(envelope, out _, out _, out var length);
        if (failure is null)
        {
            return length;
        }

        var pseudonym = _keys.GetPseudonym(field.SubjectId).Value;
        DiagnosticsLog.IntegrityFailed(_logger, field.Field, pseudonym, failure.Value);
        _metrics.IntegrityFailures.Add(1, new KeyValuePair<string, object?>("gdpr.failure", failure.Value.ToString()));
        throw new PersonalDataIntegrityException(field.Field, pseudonym, failure.Value);
    }

    private PersonalDataIntegrityException IntegrityFailed(DataKeyEntry entry, in FieldAddress field, IntegrityFailure failure)
    {
        DiagnosticsLog.IntegrityFailed(_logger, field.Field, entry.Pseudonym.Value, failure);
        _metrics.IntegrityFailures.Add(1, new KeyValuePair<string, object?>("gdpr.failure", failure.ToString()));
        return new PersonalDataIntegrityException(field.Field, entry.Pseudonym.Value, failure);
    }
}
