using Gdpr.Keys;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Wraps the application's key-encryption-key provider to write the KEK metadata table: when each KEK was
/// created and when it was retired. It changes nothing else: every call goes to the real provider first, and a
/// failure to record is logged, not thrown, so it never breaks a rotation (the table is evidence, not a control).
/// </summary>
internal sealed class KeyEncryptionKeyLedger(IKeyEncryptionKeyProvider inner, KeyEncryptionKeyLedgerStore records, ILogger logger) : IKeyEncryptionKeyProvider
{
    public ValueTask<string> GetActiveKeyIdAsync(CancellationToken cancellationToken = default)
        => inner.GetActiveKeyIdAsync(cancellationToken);

    public ValueTask<IReadOnlyList<string>> GetKeyIdsAsync(CancellationToken cancellationToken = default)
        => inner.GetKeyIdsAsync(cancellationToken);

    public ValueTask<byte[]> WrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> dataKey, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
        => inner.WrapAsync(keyEncryptionKeyId, dataKey, associatedData, cancellationToken);

    public ValueTask UnwrapAsync(string keyEncryptionKeyId, ReadOnlyMemory<byte> wrappedKey, ReadOnlyMemory<byte> associatedData, Memory<byte> dataKey, CancellationToken cancellationToken = default)
        => inner.UnwrapAsync(keyEncryptionKeyId, wrappedKey, associatedData, dataKey, cancellationToken);

    public async ValueTask<string> CreateKeyAsync(CancellationToken cancellationToken = default)
    {
        var id = await inner.CreateKeyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await records.RecordCreatedAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            KeyStoreLog.KeyEncryptionKeyNotRecorded(logger, id, ex);
        }

        return id;
    }

    public async ValueTask RetireKeyAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
    {
        await inner.RetireKeyAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        try
        {
            await records.RecordRetiredAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            KeyStoreLog.KeyEncryptionKeyNotRecorded(logger, keyEncryptionKeyId, ex);
        }
    }
}
