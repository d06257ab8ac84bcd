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
                $"keeps the subjects' keys on {provider}, whose key-store support is in the package {package.Package}: reference it and call {package.Call} on the Gdpr builder (AddGdpr(...).{package.Call}). Without it the key store would run without its locks between nodes, shred notifications and purge.");
        }

        return RelationalKeyStoreDialect.Instance;
    }
}
