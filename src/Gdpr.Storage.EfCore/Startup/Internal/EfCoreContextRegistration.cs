using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore.Startup;

/// <summary>Records that the SDK uses a DbContext, and wires the check of it at host start and on first use.</summary>
internal static class EfCoreContextRegistration
{
    public static void Add<TContext>(IServiceCollection services, EfCoreContextRole role)
        where TContext : DbContext
    {
        var known = services.Any(d => d.ServiceType == typeof(EfCoreContextUse) && d.ImplementationInstance is EfCoreContextUse u && u.ContextType == typeof(TContext));
        if (!services.Any(d => d.ImplementationInstance is EfCoreContextUse u && u.ContextType == typeof(TContext) && u.Role == role))
        {
            services.AddSingleton(EfCoreContextUse.For<TContext>(role));
        }

        services.TryAddSingleton<EfCoreStartupCheck>();
        services.AddOptions<EfCoreStartupCheckOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EfCoreStartupCheckOptions>, EfCoreStartupValidator>());

        if (!known && typeof(TContext) != typeof(GdprKeyStoreDbContext))
        {
            // Applies to the context however it is registered (AddDbContext, a factory, a pool), before or after this call.
            services.ConfigureDbContext<TContext>(
                (sp, options) => options.AddInterceptors(new GdprRegistrationGuard(sp.GetRequiredService<EfCoreStartupCheck>())),
                ServiceLifetime.Singleton);
        }
    }

    /// <summary>
    /// Makes <typeparamref name="TStore"/> over <typeparamref name="TContext"/> the application's
    /// <typeparamref name="TService"/> (replacing the in-memory default), checked before it is first handed out.
    /// </summary>
    public static void UseStore<TService, TStore, TContext>(IServiceCollection services, EfCoreContextRole role)
        where TService : class
        where TStore : TService
        where TContext : DbContext
    {
        Add<TContext>(services, role);
        services.Replace(ServiceDescriptor.Singleton<TService>(sp => Checked(sp, s => ActivatorUtilities.CreateInstance<TStore>(s))));
    }

    /// <summary>Runs the check before a store or source over a context is first handed out.</summary>
    public static T Checked<T>(IServiceProvider services, Func<IServiceProvider, T> create)
    {
        services.GetRequiredService<EfCoreStartupCheck>().EnsureValid();
        return create(services);
    }
}
