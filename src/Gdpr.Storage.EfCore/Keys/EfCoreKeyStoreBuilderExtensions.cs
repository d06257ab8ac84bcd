using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>Registers the EF Core key store in place of the in-memory one.</summary>
public static class EfCoreKeyStoreBuilderExtensions
{
    /// <summary>
    /// Keeps the subjects' data keys in the application's own DbContext, whose model must include
    /// <see cref="GdprKeyStoreModelBuilderExtensions.AddGdprKeyStore"/>. The context must be registered with
    /// <c>AddDbContextFactory&lt;TContext&gt;</c> (or <c>AddPooledDbContextFactory</c>), configured with a connection
    /// string rather than a shared <c>DbConnection</c>: every key-store operation runs in a short-lived context of
    /// its own, never in the application's context instance.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder from <c>AddGdpr</c>.</param>
    /// <param name="configure">Sets the key store's options.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreKeyStore<TContext>(this IGdprBuilder builder, Action<EfCoreKeyStoreOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<EfCoreKeyStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.ListenerReconnectDelay > TimeSpan.Zero, "EfCoreKeyStoreOptions.ListenerReconnectDelay must be positive.");

        services.RemoveAll<KeyStoreContextSource>();
        services.AddSingleton(sp =>
        {
            var factory = sp.GetService<IDbContextFactory<TContext>>()
                ?? throw new InvalidOperationException(
                    $"UseEfCoreKeyStore<{typeof(TContext).Name}> needs an IDbContextFactory<{typeof(TContext).Name}>: register the context with services.AddDbContextFactory<{typeof(TContext).Name}>(...).");
            return new KeyStoreContextSource(factory.CreateDbContext, typeof(TContext).Name);
        });

        if (!services.Any(d => d.ServiceType == typeof(ShredNotificationListener)))
        {
            // A hosted service so that a host starts listening at start-up; without a host, the store's first read does.
            services.AddSingleton<ShredNotificationListener>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ShredNotificationListener>());
        }

        services.TryAddSingleton(sp => new EfCoreSubjectKeyStore(
            sp.GetRequiredService<KeyStoreContextSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ShredNotificationListener>(),
            sp.GetService<ILogger<EfCoreSubjectKeyStore>>()));
        services.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(sp => sp.GetRequiredService<EfCoreSubjectKeyStore>()));
        return builder;
    }

    /// <summary>
    /// Keeps the subjects' data keys in a database of their own, through <see cref="GdprKeyStoreDbContext"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddGdpr</c>.</param>
    /// <param name="configureDatabase">Chooses the provider and connection string, e.g. <c>o =&gt; o.UseSqlite("Data Source=keys.db")</c>.</param>
    /// <param name="configure">Sets the key store's options.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreKeyStore(this IGdprBuilder builder, Action<DbContextOptionsBuilder> configureDatabase, Action<EfCoreKeyStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureDatabase);
        builder.Services.AddDbContextFactory<GdprKeyStoreDbContext>(configureDatabase);
        return builder.UseEfCoreKeyStore<GdprKeyStoreDbContext>(configure);
    }
}
