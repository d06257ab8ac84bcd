using Gdpr.DataSources;
using Gdpr.Diagnostics;
using Gdpr.DependencyInjection;
using Gdpr.Encryption;
using Gdpr.Encryption.Infrastructure;
using Gdpr.Keys.Infrastructure;
using Gdpr.Export;
using Gdpr.Keys;
using Gdpr.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gdpr;

/// <summary>Registers the Gdpr SDK.</summary>
public static class GdprServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Gdpr engine: pseudonyms, per-subject data keys, crypto-shredding and field encryption. Register a
    /// persistent key store, key-encryption-key provider, audit store, retention schedule, legal-hold store and
    /// certificate signing key (or call <see cref="UseInMemoryStores"/> in tests and samples): when the host starts
    /// (and on the first key operation otherwise), a component left on its in-memory default is an
    /// <see cref="InMemoryStoresNotAllowedException"/>, a key store created with another pseudonym key a
    /// <see cref="PseudonymKeyMismatchException"/>, and a key store referring to key-encryption keys the provider lacks
    /// a <see cref="MissingKeyEncryptionKeysException"/>. Options are validated at the same points.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="GdprOptions.PseudonymKey"/> is required.</param>
    /// <returns>A builder to add stores, key providers and data sources.</returns>
    public static IGdprBuilder AddGdpr(this IServiceCollection services, Action<GdprOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<GdprOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GdprOptions>, GdprOptionsValidator>());
        services.AddOptions<LocalKeyRingOptions>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<InMemoryStoresOptions>();
        services.TryAddSingleton<GdprStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GdprStartupService>());
        services.TryAddSingleton<ISubjectKeyStore, InMemorySubjectKeyStore>();
        services.TryAddSingleton<IKeyEncryptionKeyProvider>(CreateDefaultKeyRing);
        services.TryAddSingleton(sp => new GdprMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<SubjectPseudonymizer>();
        services.TryAddSingleton<DataKeyCache>();
        services.TryAddSingleton<SubjectKeyManager>();
        services.TryAddSingleton<ISubjectKeyManager>(sp => sp.GetRequiredService<SubjectKeyManager>());
        services.TryAddSingleton<ISubjectKeyCache>(sp => sp.GetRequiredService<SubjectKeyManager>());
        services.TryAddSingleton<Search.BlindIndexKeyRing>();
        services.TryAddSingleton<Search.IBlindIndexEpochs>(sp => sp.GetRequiredService<Search.BlindIndexKeyRing>());
        services.TryAddSingleton<FieldEncryptor>();
        services.TryAddSingleton<IFieldEncryptor>(sp => sp.GetRequiredService<FieldEncryptor>());
        services.TryAddSingleton<ISpanFieldEncryptor>(sp => sp.GetRequiredService<FieldEncryptor>());
        services.TryAddSingleton<IEncryptedObjectStore>(CreateEncryptedObjectStore);
        services.AddGdprErasure();
        services.AddGdprExport();
        return new GdprBuilder(services);
    }

    /// <summary>
    /// Keeps the local key-encryption keys as files in <paramref name="directory"/> instead of in memory, so that
    /// data stays readable across restarts. For production, prefer a KMS or HSM provider.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder that holds the key ring; created when missing.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseLocalKeyRing(this IGdprBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        builder.Services.Configure<LocalKeyRingOptions>(o => o.Directory = directory);
        return builder;
    }

    /// <summary>
    /// Keeps the ciphertext of encrypted objects (<see cref="IEncryptedObjectStore"/>: call recordings,
    /// attachments) as files in <paramref name="directory"/>, one per object, owner-only. Register another
    /// <see cref="IBlobStore"/> instead for object storage or several nodes.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder that holds the objects; created (owner-only) when missing.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseFileSystemBlobStore(this IGdprBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        builder.Services.Replace(ServiceDescriptor.Singleton<IBlobStore>(_ => new FileSystemBlobStore(directory)));
        return builder;
    }

    /// <summary>
    /// Allows the in-memory defaults (key store, local key ring, audit trail, retention schedule, legal holds,
    /// certificate signing key) for every component that has no persistent one registered: for tests and samples.
    /// Everything they hold is lost when the process ends; the host logs one warning per in-memory component at start.
    /// Without this call, such a component stops the host at start with an <see cref="InMemoryStoresNotAllowedException"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseInMemoryStores(this IGdprBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<InMemoryStoresOptions>(o => o.Allowed = true);
        return builder;
    }

    /// <summary>Registers a source of personal data that export and erasure go through.</summary>
    /// <typeparam name="TSource">The source's type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddDataSource<TSource>(this IGdprBuilder builder)
        where TSource : class, IPersonalDataSource
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPersonalDataSource, TSource>());
        return builder;
    }

    // A factory, not a type registration: without a blob store the rest of the SDK works, and only asking for
    // encrypted objects says what is missing.
    private static EncryptedObjectStore CreateEncryptedObjectStore(IServiceProvider services)
    {
        var blobs = services.GetService<IBlobStore>()
            ?? throw new InvalidOperationException("Encrypted objects need a blob store: call UseFileSystemBlobStore(directory) on the Gdpr builder, or register an IBlobStore.");
        return ActivatorUtilities.CreateInstance<EncryptedObjectStore>(services, blobs);
    }

    private static LocalKeyEncryptionKeyProvider CreateDefaultKeyRing(IServiceProvider services)
    {
        var provider = ActivatorUtilities.CreateInstance<LocalKeyEncryptionKeyProvider>(services);

        // Noted here: the EF key store wraps this registration, so the start-up check cannot see the type.
        services.GetRequiredService<GdprStartupCheck>().DefaultKeyRingInMemory = provider.IsInMemory;
        return provider;
    }
}
