using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Startup;

/// <summary>What the SDK uses a DbContext for; each use but the data source needs its tables in the model.</summary>
internal enum EfCoreContextRole
{
    DataSource,
    KeyStore,
    AuditTrail,
    RetentionSchedule,
    LegalHolds,
    DataSubjectRequests,
    BlobStore,
}

/// <summary>One registration call that told the SDK about a DbContext, checked at start by <see cref="EfCoreStartupCheck"/>.</summary>
/// <param name="ContextType">The context's type.</param>
/// <param name="Role">What the SDK uses it for.</param>
/// <param name="Create">Creates an instance in a scope: the context and whether the caller must dispose it (a factory's), or null when it is not registered.</param>
internal sealed record EfCoreContextUse(Type ContextType, EfCoreContextRole Role, Func<IServiceProvider, (DbContext? Context, bool Owned)> Create)
{
    public static EfCoreContextUse For<TContext>(EfCoreContextRole role)
        where TContext : DbContext
        => new(typeof(TContext), role, static services =>
            services.GetService<IDbContextFactory<TContext>>() is { } factory
                ? (factory.CreateDbContext(), true)
                : (services.GetService<TContext>(), false));
}
