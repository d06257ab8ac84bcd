using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore;

/// <summary>Registers the EF Core key store in place of the in-memory one.</summary>
public static class EfCoreKeyStoreBuilderExtensions
{
    private static readonly object InnerKeyEncryptionKeyProvider = new();

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
    /// <remarks>
    /// SQLite needs nothing more. On PostgreSQL also call <c>UseEfCorePostgreSql()</c> from the package
    /// Gdpr.Storage.EfCore.PostgreSql (locks between nodes, shred notifications, purge); without it the host fails to
    /// start with a <see cref="GdprRegistrationException"/> naming the package.
    /// </remarks>
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

        options.Validate(o => o.ListenerReconnectDelay > TimeSpan.Zero, "EfCoreKeyStoreOptions.ListenerReconnectDelay must be positive.")
            .Validate(o => o.PurgeWaitLimit >= TimeSpan.Zero, "EfCoreKeyStoreOptions.PurgeWaitLimit must not be negative.")
            .ValidateOnStart();

        EfCoreContextRegistration.Add<TContext>(services, EfCoreContextRole.KeyStore);
        KeyStoreDialects.AddTo(services);
        services.RemoveAll<KeyStoreContextSource>();
        services.AddSingleton(sp =>
        {
            if (sp.GetService<IServiceProviderIsService>()?.IsService(typeof(IDbContextFactory<TContext>)) == false)
            {
                throw new InvalidOperationException(
                    $"UseEfCoreKeyStore<{typeof(TContext).Name}> needs an IDbContextFactory<{typeof(TContext).Name}>: register the context with services.AddDbContextFactory<{typeof(TContext).Name}>(...).");
            }

            sp.GetRequiredService<EfCoreStartupCheck>().EnsureValid();

            // Resolved on first use, not here: when the application's own context (options built with UseGdpr, which
            // needs the engine, which needs this store) is also the key store's, resolving the factory now would
            // close a cycle in the container and hang the first resolution.
            var factory = new Lazy<IDbContextFactory<TContext>>(sp.GetRequiredService<IDbContextFactory<TContext>>);
            return new KeyStoreContextSource(() => factory.Value.CreateDbContext(), typeof(TContext).Name, sp.GetRequiredService<KeyStoreDialects>());
        });

        services.TryAddSingleton(sp => new EfCoreSubjectKeyStore(
            sp.GetRequiredService<KeyStoreContextSource>(),
            sp.GetRequiredService<KeyEncryptionKeyLedgerStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<EfCoreSubjectKeyStore>>()));
        services.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(sp => sp.GetRequiredService<EfCoreSubjectKeyStore>()));
        services.TryAddSingleton(sp => new EfCoreKeyStorePurger(sp.GetRequiredService<EfCoreSubjectKeyStore>()));
        services.TryAddSingleton(sp => new KeyEncryptionKeyLedgerStore(sp.GetRequiredService<KeyStoreContextSource>(), sp.GetRequiredService<TimeProvider>()));
        RecordKeyEncryptionKeysInTheStore(services);
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
        // Pooled: the store creates a context per operation, and a pooled one skips rebuilding its services each time.
        builder.Services.AddPooledDbContextFactory<GdprKeyStoreDbContext>(configureDatabase);
        return builder.UseEfCoreKeyStore<GdprKeyStoreDbContext>(configure);
    }

    /// <summary>
    /// Wraps the KEK provider registered so far (the local key ring, or a KMS registered before this call) so that
    /// KEK creation and retirement land in the KEK metadata table. The original registration is kept as a keyed
    /// service, so the container still creates and disposes it.
    /// </summary>
    private static void RecordKeyEncryptionKeysInTheStore(IServiceCollection services)
    {
        if (services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, InnerKeyEncryptionKeyProvider)))
        {
            return;
        }

        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IKeyEncryptionKeyProvider) && !d.IsKeyedService);
        if (existing is null)
        {
            return;
        }

        services.Remove(existing);
        services.Add(existing switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(existing.ServiceType, InnerKeyEncryptionKeyProvider, instance),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(existing.ServiceType, InnerKeyEncryptionKeyProvider, (sp, _) => factory(sp), existing.Lifetime),
            _ => new ServiceDescriptor(existing.ServiceType, InnerKeyEncryptionKeyProvider, existing.ImplementationType!, existing.Lifetime),
        });
        services.Add(new ServiceDescriptor(
            typeof(IKeyEncryptionKeyProvider),
            sp => new KeyEncryptionKeyLedger(
                sp.GetRequiredKeyedService<IKeyEncryptionKeyProvider>(InnerKeyEncryptionKeyProvider),
                sp.GetRequiredService<KeyEncryptionKeyLedgerStore>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<KeyEncryptionKeyLedger>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
            existing.Lifetime));
    }
}
