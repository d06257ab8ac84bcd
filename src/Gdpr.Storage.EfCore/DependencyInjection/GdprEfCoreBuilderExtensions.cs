using Gdpr.DataSources;
using Gdpr.Storage.EfCore.DataSources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gdpr.Storage.EfCore;

/// <summary>Registers the EF Core adapter's services with the Gdpr SDK.</summary>
public static class GdprEfCoreBuilderExtensions
{
    /// <summary>
    /// Registers a DbContext as a source of personal data, so that export (GDPR Art. 15, 20) and erasure (Art. 17)
    /// reach every annotated entity type of it. The context must be registered (<c>AddDbContext</c>) with
    /// <see cref="GdprDbContextOptionsBuilderExtensions.UseGdpr"/>; the source resolves it in a scope of its own.
    /// </summary>
    /// <remarks>
    /// Rows are found by the plaintext subject-id column. Erasure deletes a row when every personal-data member in
    /// it belongs to a destroyed scope whose <see cref="global::Gdpr.Retention.RetentionPolicy.DeleteRowsOnErasure"/> is set; it
    /// blanks members with <see cref="ErasureAction.Replace"/> in a destroyed scope (they then read as their
    /// replacement). Both run in batches and are idempotent.
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
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPersonalDataSource, DbContextPersonalDataSource<TContext>>());
        return builder;
    }
}
