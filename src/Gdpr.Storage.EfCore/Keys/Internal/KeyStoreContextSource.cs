using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

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
    private readonly KeyStoreDialects _dialects;
    private KeyStoreDialect? _dialect;
    private int _modelChecked;

    public KeyStoreContextSource(Func<DbContext> create, string contextName, KeyStoreDialects dialects)
    {
        _create = create;
        _contextName = contextName;
        _dialects = dialects;
    }

    /// <summary>Gets the name of the context type, for messages.</summary>
    public string ContextName => _contextName;

    public DbContext Create()
    {
        var context = _create();
        if (Volatile.Read(ref _modelChecked) == 0)
        {
            if (context.Model.FindEntityType(typeof(SubjectKeyRow)) is null)
            {
                context.Dispose();
                throw new InvalidOperationException(
                    $"The DbContext '{_contextName}' has no key-store tables: call modelBuilder.AddGdprKeyStore() in its OnModelCreating, or use the separate GdprKeyStoreDbContext.");
            }

            Volatile.Write(ref _modelChecked, 1);
        }

        return context;
    }

    /// <summary>Returns the dialect of the contexts' provider (one provider per context type, so looked up once).</summary>
    /// <exception cref="GdprRegistrationException">The provider's dialect package is not registered.</exception>
    public KeyStoreDialect GetDialect(DbContext context)
        => _dialect ??= _dialects.For(context, _contextName);

    /// <summary>Gets the dialect, creating a context to learn the provider only the first time.</summary>
    public KeyStoreDialect Dialect
    {
        get
        {
            if (_dialect is { } dialect)
            {
                return dialect;
            }

            using var context = Create();
            return GetDialect(context);
        }
    }

    /// <summary>Returns the delimited, schema-qualified name of an entity type's table, for the few raw statements.</summary>
    public static string GetTableName<TEntity>(DbContext context)
    {
        var entityType = context.Model.FindEntityType(typeof(TEntity))!;
        return context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema());
    }
}
