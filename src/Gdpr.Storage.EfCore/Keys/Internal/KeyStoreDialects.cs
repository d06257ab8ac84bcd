using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// Picks the key store's dialect by the context's EF provider. An engine whose dialect ships in a package of its own
/// (PostgreSQL) is refused loudly when that package's registration is missing: falling back to the neutral dialect
/// would silently drop the locks between nodes, the shred notifications and the physical removal.
/// </summary>
internal sealed class KeyStoreDialects
{
    // The engines the SDK has a dialect package for, with the call that registers it.
    private static readonly Dictionary<string, (string Package, string Call)> Packaged = new(StringComparer.Ordinal)
    {
        ["Npgsql.EntityFrameworkCore.PostgreSQL"] = ("Gdpr.Storage.EfCore.PostgreSql", "UseEfCorePostgreSql()"),
    };

    private readonly Dictionary<string, KeyStoreDialect> _byProvider = new(StringComparer.Ordinal);

    public KeyStoreDialects(IEnumerable<KeyStoreDialect> dialects)
    {
        foreach (var dialect in dialects)
        {
            if (dialect.ProviderName is { } provider)
            {
                _byProvider[provider] = dialect;
            }
        }
    }

    /// <summary>
    /// Registers the dialects this assembly ships (SQLite) and the picker; the engine packages add theirs
    /// (<c>UseEfCorePostgreSql()</c>). Called by every registration that needs a dialect.
    /// </summary>
    public static void AddTo(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<KeyStoreDialect, SqliteKeyStoreDialect>(
            sp => new SqliteKeyStoreDialect(sp.GetService<ILoggerFactory>()?.CreateLogger<EfCoreSubjectKeyStore>() ?? (ILogger)NullLogger.Instance)));
        services.TryAddSingleton<KeyStoreDialects>();
    }

    /// <summary>Returns the dialect of <paramref name="db"/>'s provider.</summary>
    /// <exception cref="GdprRegistrationException">The provider's dialect package is not registered.</exception>
    public KeyStoreDialect For(DbContext db, string contextName)
    {
        var provider = db.Database.ProviderName ?? string.Empty;
        if (_byProvider.TryGetValue(provider, out var dialect))
        {
            return dialect;
        }

        if (Packaged.TryGetValue(provider, out var package))
        {
            throw new GdprRegistrationException(
                contextName,
                $"runs on {provider}, whose support is in the package {package.Package}: reference it and call {package.Call} on the Gdpr builder (AddGdpr(...).{package.Call}). Without it the key store would run without its locks between nodes, shred notifications and purge, and no vacuum would wait for the transactions that still see deleted rows.");
        }

        return RelationalKeyStoreDialect.Instance;
    }
}
