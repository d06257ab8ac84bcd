using Gdpr.Storage.EfCore.Model;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// The KEK metadata table (<c>gdpr_key_encryption_keys</c>): when each key-encryption key was first met and when it
/// was retired. Its own store beside the key store (same context and connection source), written only through
/// <see cref="KeyEncryptionKeyLedger"/>.
/// </summary>
internal sealed class KeyEncryptionKeyLedgerStore(KeyStoreContextSource contexts, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, byte> _recorded = new(StringComparer.Ordinal);

    /// <summary>Notes a key-encryption key the first time this process meets it; a concurrent insert by another node is fine.</summary>
    public async Task RecordCreatedAsync(string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        if (_recorded.ContainsKey(keyEncryptionKeyId))
        {
            return;
        }

        using var db = contexts.Create();
        var exists = await db.Set<KeyEncryptionKeyRow>().AsNoTracking()
            .AnyAsync(k => k.KeyEncryptionKeyId == keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            db.Add(new KeyEncryptionKeyRow { KeyEncryptionKeyId = keyEncryptionKeyId, CreatedAtUtcTicks = time.GetUtcNow().UtcTicks });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another process recorded it first: the row exists, which is all we wanted.
            }
        }

        _recorded.TryAdd(keyEncryptionKeyId, 0);
    }

    /// <summary>Records when a key-encryption key was retired (the evidence that backups wrapped under it are now dead).</summary>
    public async Task RecordRetiredAsync(string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        await RecordCreatedAsync(keyEncryptionKeyId, cancellationToken).ConfigureAwait(false);
        long? retiredAt = time.GetUtcNow().UtcTicks;
        using var db = contexts.Create();
        await db.Set<KeyEncryptionKeyRow>()
            .Where(k => k.KeyEncryptionKeyId == keyEncryptionKeyId && k.RetiredAtUtcTicks == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAtUtcTicks, retiredAt), cancellationToken).ConfigureAwait(false);
    }
}
