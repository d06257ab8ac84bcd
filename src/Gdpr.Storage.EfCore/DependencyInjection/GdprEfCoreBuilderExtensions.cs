using Gdpr.DataSources;
using Gdpr.Storage.EfCore.DataSources;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gdpr.Storage.EfCore;

/// <summary>Registers the EF Core adapter's services with the Gdpr SDK.</summary>
public static class GdprEfCoreBuilderExtensions
{
    /// <summary>
    /// Registers the application's DbContext with the adapter switched on, so that <c>UseGdpr</c> cannot be
    /// forgotten: a context factory (<c>AddDbContextFactory</c>, which also registers the context itself as scoped)
    /// whose options are <paramref name="configureDatabase"/> followed by
    /// <see cref="GdprDbContextOptionsBuilderExtensions.UseGdpr(DbContextOptionsBuilder, IServiceProvider)"/>, and the
    /// context as a source of personal data (<see cref="AddEfCoreDataSource{TContext}"/>), so that export and erasure
    /// reach it.
    /// </summary>
    /// <remarks>
    /// The context is checked when the host starts (and, without a host, on first use): see
    /// <see cref="AddEfCoreDataSource{TContext}"/>. To keep the SDK's stores in the same context, add
    /// <see cref="UseEfCoreStores{TContext}"/> and call <see cref="GdprTablesModelBuilderExtensions.AddGdprTables"/>
    /// in its <c>OnModelCreating</c>.
    /// </remarks>
    /// <example>
    /// <code>
    /// services.AddGdpr(o => o.PseudonymKey = secret)
    ///         .AddEfCoreContext&lt;ShopContext&gt;((sp, options) => options.UseSqlite("Data Source=shop.db"))
    ///         .UseEfCoreStores&lt;ShopContext&gt;();
    /// </code>
    /// </example>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The Gdpr builder.</param>
    /// <param name="configureDatabase">Chooses the provider and connection, e.g. <c>(sp, o) =&gt; o.UseSqlite(...)</c>.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddEfCoreContext<TContext>(this IGdprBuilder builder, Action<IServiceProvider, DbContextOptionsBuilder> configureDatabase)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureDatabase);
        builder.Services.AddDbContextFactory<TContext>((sp, options) =>
        {
            configureDatabase(sp, options);
            options.UseGdpr(sp);
        });
        KeyStoreDialects.AddTo(builder.Services);
        builder.Services.TryAddTransient(sp => new LegacyPlaintextMigration<TContext>(
            sp.GetRequiredService<IDbContextFactory<TContext>>(),
            sp.GetRequiredService<KeyStoreDialects>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<LegacyPlaintextMigration<TContext>>>()));
        builder.Services.TryAddTransient(sp => new BlindIndexReindexer<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));
        return builder.AddEfCoreDataSource<TContext>();
    }

    /// <summary>
    /// Registers a DbContext as a source of personal data, so that export (GDPR Art. 15, 20) and erasure (Art. 17)
    /// reach every annotated entity type of it. The context must be registered (<c>AddDbContext</c>) with
    /// <see cref="GdprDbContextOptionsBuilderExtensions.UseGdpr(DbContextOptionsBuilder, IServiceProvider)"/>, or with
    /// <see cref="AddEfCoreContext{TContext}"/>; the source resolves it in a scope of its own.
    /// </summary>
    /// <remarks>
    /// <para>Rows are found by the plaintext subject-id column. Erasure deletes a row when every personal-data member in
    /// it belongs to a destroyed scope whose <see cref="global::Gdpr.Retention.RetentionPolicy.DeleteRowsOnErasure"/> is set; it
    /// blanks members with <see cref="ErasureAction.Replace"/> in a destroyed scope (they then read as their
    /// replacement). Both run in batches and are idempotent.</para>
    /// <para>Every context the SDK is told about (this call and the <c>UseEfCore*</c> calls) is checked when the host
    /// starts, and without a host on its first save or the SDK's first use of it, before anything is written: a
    /// context not registered or registered without <c>UseGdpr</c> is a <see cref="GdprRegistrationException"/>; a
    /// store's missing model-builder call too; an annotated member mapped as a plain column, or naming a retention
    /// policy that is not registered (or, with <see cref="ErasureAction.RetainUntilExpiry"/>, one that is not a legal
    /// obligation), is a <see cref="PersonalDataModelException"/> naming type and member.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// services.AddGdpr(o => o.PseudonymKey = secret).AddEfCoreDataSource&lt;ShopContext&gt;();
    /// </code>
    /// </example>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The Gdpr builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder AddEfCoreDataSource<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.Add<TContext>(builder.Services, EfCoreContextRole.DataSource);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPersonalDataSource, DbContextPersonalDataSource<TContext>>(
            sp => EfCoreContextRegistration.Checked(sp, s => ActivatorUtilities.CreateInstance<DbContextPersonalDataSource<TContext>>(s))));
        return builder;
    }

    /// <summary>
    /// Keeps every store of the SDK in the application's DbContext — the key store, audit trail, retention schedule,
    /// legal holds and data-subject requests — and registers it as a data source: <see cref="EfCoreKeyStoreBuilderExtensions.UseEfCoreKeyStore{TContext}"/>,
    /// <see cref="AuditModelBuilderExtensions.UseEfCoreAuditTrail{TContext}"/>,
    /// <see cref="RetentionModelBuilderExtensions.UseEfCoreRetentionSchedule{TContext}"/>,
    /// <see cref="LegalHoldModelBuilderExtensions.UseEfCoreLegalHolds{TContext}"/>,
    /// <see cref="DataSubjectRequestModelBuilderExtensions.UseEfCoreDataSubjectRequests{TContext}"/> and
    /// <see cref="AddEfCoreDataSource{TContext}"/> in one call. The context must be registered with a factory
    /// (<see cref="AddEfCoreContext{TContext}"/> does) and call <see cref="GdprTablesModelBuilderExtensions.AddGdprTables"/>
    /// in its <c>OnModelCreating</c>; a missing call fails at start naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The Gdpr builder.</param>
    /// <param name="configureKeyStore">Sets the key store's options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreStores<TContext>(this IGdprBuilder builder, Action<EfCoreKeyStoreOptions>? configureKeyStore = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .UseEfCoreKeyStore<TContext>(configureKeyStore)
            .UseEfCoreAuditTrail<TContext>()
            .UseEfCoreRetentionSchedule<TContext>()
            .UseEfCoreLegalHolds<TContext>()
            .UseEfCoreDataSubjectRequests<TContext>()
            .AddEfCoreDataSource<TContext>();
    }
}
