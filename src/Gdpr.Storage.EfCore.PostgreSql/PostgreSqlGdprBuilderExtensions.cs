using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Gdpr.Storage.EfCore;

/// <summary>Registers the EF Core adapter's PostgreSQL support.</summary>
public static class PostgreSqlGdprBuilderExtensions
{
    /// <summary>
    /// Lets the EF Core key store (<c>UseEfCoreKeyStore</c>, <c>UseEfCoreStores</c>) run on PostgreSQL: advisory
    /// locks so that no node re-creates a key another node is destroying, shred notifications
    /// (<c>LISTEN</c>/<c>NOTIFY</c> on <c>gdpr_key_shred</c>) so that every node evicts a destroyed key within about a
    /// second, and the purge that waits for older transactions before it vacuums the key table. Call it once, before
    /// or after the key store's registration; a key store on PostgreSQL without it fails the host's start.
    /// </summary>
    /// <param name="builder">The builder from <c>AddGdpr</c>.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCorePostgreSql(this IGdprBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(ShredNotificationListener)))
        {
            // A hosted service so that a host starts listening at start-up; without a host, the store's first read does.
            services.AddSingleton<ShredNotificationListener>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ShredNotificationListener>());
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<KeyStoreDialect, PostgreSqlKeyStoreDialect>());
        return builder;
    }
}
