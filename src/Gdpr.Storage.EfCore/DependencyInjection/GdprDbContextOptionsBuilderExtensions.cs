using Gdpr.Encryption;
using Gdpr.Encryption.Internal;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.DependencyInjection;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Model;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Storage.EfCore;

/// <summary>Switches the Gdpr adapter on for a DbContext.</summary>
public static class GdprDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Stores every <see cref="PersonalDataAttribute"/> member of the context's entity types (owned types included)
    /// encrypted under its data subject's key, and reads it back decrypted. This is the only call needed: it also
    /// adds the model step (no change to <c>OnModelCreating</c>), which validates the model when it is built.
    /// </summary>
    /// <remarks>
    /// <para>Each annotated member is stored in a binary column (BLOB on SQLite, bytea on PostgreSQL) of the same
    /// name, holding the envelope; the entity objects always hold plaintext. Annotated members cannot be used in
    /// SQL (filters, ordering, joins); a projection of one materializes its whole entity. See docs/efcore.md.</para>
    /// <para>The key store must not use this context or its connection: keys may be loaded while the context is
    /// reading (materialization is synchronous in EF Core).</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// services.AddGdpr(o => o.PseudonymKey = secret)
    ///         .AddEfCoreDataSource&lt;ShopContext&gt;();
    /// services.AddDbContext&lt;ShopContext&gt;((sp, options) => options
    ///     .UseSqlite("Data Source=shop.db")
    ///     .UseGdpr(sp));
    /// </code>
    /// </example>
    /// <param name="optionsBuilder">The context's options.</param>
    /// <param name="serviceProvider">The application's services, where <c>AddGdpr</c> registered the engine.</param>
    /// <returns>The options builder.</returns>
    /// <exception cref="PersonalDataModelException">
    /// When the model is built: an annotated type without exactly one <see cref="DataSubjectIdAttribute"/> member
    /// (owned types use their owner's), an annotated key, foreign key or index, or an unsupported member type.
    /// </exception>
    public static DbContextOptionsBuilder UseGdpr(this DbContextOptionsBuilder optionsBuilder, IServiceProvider serviceProvider)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentNullException.ThrowIfNull(serviceProvider);

        // Resolved on first save or read, never while the options are built: the options are often built while the
        // container is constructing the engine itself (a key store over this same context needs the context's
        // factory, whose options call this method), and resolving the engine here would close that cycle and hang.
        var crypto = new Lazy<PersonalDataCrypto>(() =>
        {
            // The contexts the SDK is told about are checked before the first value is encrypted or decrypted, so
            // that without a host a set-up mistake fails before any key or row is written (with a host, it already
            // failed at start).
            serviceProvider.GetService<EfCoreStartupCheck>()?.EnsureValid();
            return CreateCrypto(serviceProvider);
        });
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(new GdprDbContextOptionsExtension(crypto));
        return optionsBuilder;
    }

    private static PersonalDataCrypto CreateCrypto(IServiceProvider serviceProvider)
        => new(
            serviceProvider.GetRequiredService<IFieldEncryptor>() as ICachedFieldEncryptor
                ?? throw new InvalidOperationException("UseGdpr needs the SDK's own IFieldEncryptor (registered by AddGdpr); a replacement cannot serve the EF adapter's cached hot path."),
            serviceProvider.GetRequiredService<ISubjectKeyManager>(),
            serviceProvider.GetService<ILoggerFactory>()?.CreateLogger("Gdpr.Storage.EfCore") ?? NullLogger.Instance,
            serviceProvider.GetService<Gdpr.Search.BlindIndexKeyRing>());

    /// <summary>
    /// Stores every <see cref="PersonalDataAttribute"/> member of the context's entity types encrypted, as
    /// <see cref="UseGdpr(DbContextOptionsBuilder, IServiceProvider)"/> does, keeping the builder's context type so
    /// that provider calls can follow.
    /// </summary>
    /// <typeparam name="TContext">The context the options are for.</typeparam>
    /// <param name="optionsBuilder">The context's options.</param>
    /// <param name="serviceProvider">The application's services, where <c>AddGdpr</c> registered the engine.</param>
    /// <returns>The options builder.</returns>
    /// <exception cref="PersonalDataModelException">When the model is built, as for the non-generic overload.</exception>
    public static DbContextOptionsBuilder<TContext> UseGdpr<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder, IServiceProvider serviceProvider)
        where TContext : DbContext
    {
        UseGdpr((DbContextOptionsBuilder)optionsBuilder, serviceProvider);
        return optionsBuilder;
    }

    /// <summary>
    /// The adapter's model without its services, for design-time tools (<c>dotnet ef migrations add</c>, <c>database
    /// update</c>, an <c>IDesignTimeDbContextFactory</c>): the personal-data column replaces the annotated members'
    /// columns exactly as at run time, so a scaffolded migration creates no plaintext column. A context built with
    /// these options cannot read or write personal data: its first save or materialization of an annotated entity
    /// throws.
    /// </summary>
    /// <typeparam name="TContext">The context the options are for.</typeparam>
    /// <param name="optionsBuilder">The context's options.</param>
    /// <returns>The options builder.</returns>
    public static DbContextOptionsBuilder<TContext> UseGdprForDesignTime<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        var crypto = new Lazy<PersonalDataCrypto>(() => throw new InvalidOperationException(
            $"The options of {typeof(TContext).Name} were built with UseGdprForDesignTime, for migrations only; they cannot encrypt or decrypt. Build the application's options with UseGdpr(serviceProvider)."));
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(new GdprDbContextOptionsExtension(crypto));
        return optionsBuilder;
    }

    /// <summary>
    /// Whether options were built with <see cref="UseGdpr(DbContextOptionsBuilder, IServiceProvider)"/>. A model step
    /// undone later (a compiled model built without it) shows in the model itself, as an annotated member mapped as a
    /// plain column, and is refused there naming type and member.
    /// </summary>
    internal static bool IsApplied(IDbContextOptions options) => GdprDbContextOptionsExtension.Find(options) is not null;
}
