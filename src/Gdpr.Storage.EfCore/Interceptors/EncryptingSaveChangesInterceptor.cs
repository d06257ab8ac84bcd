using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>Encrypts annotated values into their rows' personal-data column before SaveChanges sends anything.</summary>
internal sealed class EncryptingSaveChangesInterceptor(Lazy<PersonalDataCrypto> lazyCrypto) : SaveChangesInterceptor
{
    /// <summary>Gets the crypto services of the context's application; the read path finds them here.</summary>
    public PersonalDataCrypto Crypto => lazyCrypto.Value;

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await Crypto.Save.EncryptPendingAsync(context, synchronous: false, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            // Synchronous SaveChanges: waiting is safe because the key store never uses this context or its connection.
            var pending = Crypto.Save.EncryptPendingAsync(context, synchronous: true, CancellationToken.None);
            if (!pending.IsCompletedSuccessfully)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }
        }

        return result;
    }
}
