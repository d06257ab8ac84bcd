using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Keys;

// What the engine's start-up check reads: the pseudonym-key check value (table gdpr_key_store_settings) and the
// key-encryption keys the live keys are wrapped under. Kept apart from the key operations.
internal sealed partial class EfCoreSubjectKeyStore
{
    /// <inheritdoc/>
    public async ValueTask<string?> AddPseudonymKeyCheckAsync(string checkValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkValue);
        if (checkValue.Length > GdprKeyStoreModelBuilderExtensions.SettingValueMaxLength)
        {
            throw new ArgumentException($"A check value is at most {GdprKeyStoreModelBuilderExtensions.SettingValueMaxLength} characters.", nameof(checkValue));
        }

        if (await ReadSettingAsync(KeyStoreSettingRow.PseudonymKeyCheck, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        using (var db = _contexts.Create())
        {
            db.Add(new KeyStoreSettingRow { Name = KeyStoreSettingRow.PseudonymKeyCheck, Value = checkValue });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return checkValue;
            }
            catch (DbUpdateException)
            {
                // Another process stored its value first (the name is the primary key): compare against that one.
            }
        }

        return await ReadSettingAsync(KeyStoreSettingRow.PseudonymKeyCheck, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The key store refused the pseudonym-key check value but holds none.");
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>?> GetKeyEncryptionKeyIdsInUseAsync(CancellationToken cancellationToken = default)
    {
        using var db = _contexts.Create();

        // Served by the index on kek_id.
        return await db.Set<SubjectKeyRow>().AsNoTracking()
            .Select(k => k.KeyEncryptionKeyId)
            .Distinct()
            .OrderBy(id => id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ReadSettingAsync(string name, CancellationToken cancellationToken)
    {
        using var db = _contexts.Create();
        return await db.Set<KeyStoreSettingRow>().AsNoTracking()
            .Where(s => s.Name == name)
            .Select(s => s.Value)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
