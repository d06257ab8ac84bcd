using Gdpr.Storage.EfCore.DependencyInjection;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>Encrypts annotated values into their rows' personal-data column before SaveChanges sends anything.</summary>
/// <remarks>
/// One per context (a scoped service of EF's internal service provider, added by
/// <see cref="GdprDbContextOptionsExtension"/>); the crypto services are those of the application the context's
/// options belong to.
/// </remarks>
internal sealed class EncryptingSaveChangesInterceptor(IDbContextOptions options) : SaveChangesInterceptor
{
    private PersonalDataCrypto Crypto => GdprDbContextOptionsExtension.Find(options)!.Crypto.Value;

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
