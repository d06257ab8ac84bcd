using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// A DbContext that holds only the key store, for applications that keep their keys in a database (or a
/// connection) of their own rather than in their application's DbContext.
/// </summary>
/// <remarks>Registered by <see cref="EfCoreKeyStoreBuilderExtensions.UseEfCoreKeyStore(IGdprBuilder, Action{DbContextOptionsBuilder}, Action{EfCoreKeyStoreOptions}?)"/>.</remarks>
public sealed class GdprKeyStoreDbContext : DbContext
{
    /// <summary>Initializes a new instance of the <see cref="GdprKeyStoreDbContext"/> class.</summary>
    /// <param name="options">The context's options (provider and connection).</param>
    public GdprKeyStoreDbContext(DbContextOptions<GdprKeyStoreDbContext> options)
        : base(options)
    {
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.AddGdprKeyStore();
    }
}
