using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>The database engines the key store has specific code for.</summary>
internal enum KeyStoreProvider
{
    Other,
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Creates the short-lived contexts the key store works through: one per operation, each with its own connection.
/// </summary>
/// <remarks>
/// The store is called from the application's EF interceptors, while the application's context is busy reading;
/// it must never use that context instance, hence a factory (<c>IDbContextFactory&lt;TContext&gt;</c>).
/// </remarks>
internal sealed class KeyStoreContextSource
{
    private readonly Func<DbContext> _create;
    private readonly string _contextName;
    private int _modelChecked;

    public KeyStoreContextSource(Func<DbContext> create, string contextName)
    {
        _create = create;
        _contextName = contextName;
    }

    public DbContext Create()
    {
        var context = _create();
        if (Volatile.Read(ref _modelChecked) == 0)
        {
            if (context.Model.FindEntityType(typeof(SubjectKeyRecord)) is null)
            {
                context.Dispose();
                throw new InvalidOperationException(
                    $"The DbContext '{_contextName}' has no key-store tables: call modelBuilder.AddGdprKeyStore() in its OnModelCreating, or use the separate GdprKeyStoreDbContext.");
            }

            Volatile.Write(ref _modelChecked, 1);
        }

        return context;
    }

    public static KeyStoreProvider GetProvider(DbContext context) => context.Database.ProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => KeyStoreProvider.Sqlite,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => KeyStoreProvider.PostgreSql,
        _ => KeyStoreProvider.Other,
    };

    /// <summary>Returns the delimited, schema-qualified name of an entity type's table, for the few raw statements.</summary>
    public static string GetTableName<TEntity>(DbContext context)
    {
        var entityType = context.Model.FindEntityType(typeof(TEntity))!;
        return context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema());
    }
}
