using Gdpr.Storage.EfCore.Startup;
using Gdpr.Storage.EfCore.Streams;
using Gdpr.Streams;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore;

/// <summary>Maps and registers the EF Core blob store (the ciphertext of encrypted objects in the application's database).</summary>
public static class BlobStoreModelBuilderExtensions
{
    /// <summary>The table of committed blobs: one row per object (name, length).</summary>
    public const string BlobsTableName = "gdpr_blobs";

    /// <summary>The table of the blobs' bytes, in chunks.</summary>
    public const string ChunksTableName = "gdpr_blob_chunks";

    /// <summary>
    /// Adds the blob store's two tables to the application's model (call it from <c>OnModelCreating</c>). Not part of
    /// <see cref="GdprTablesModelBuilderExtensions.AddGdprTables"/>: the tables come only to an application that keeps
    /// its encrypted objects in the database.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprBlobStore(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<BlobRow>(e =>
        {
            e.ToTable(BlobsTableName);
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasColumnName("name").HasMaxLength(ObjectId.MaxLength);
            e.Property(x => x.BlobId).HasColumnName("blob_id");
            e.Property(x => x.Length).HasColumnName("length");
            e.Property(x => x.ChunkSize).HasColumnName("chunk_size");
            e.HasIndex(x => x.BlobId).IsUnique();
        });
        modelBuilder.Entity<BlobChunkRow>(e =>
        {
            e.ToTable(ChunksTableName);
            e.HasKey(x => new { x.BlobId, x.Number });
            e.Property(x => x.BlobId).HasColumnName("blob_id");
            e.Property(x => x.Number).HasColumnName("number");
            e.Property(x => x.Data).HasColumnName("data").IsRequired();
        });
        return modelBuilder;
    }

    /// <summary>
    /// Keeps the ciphertext of encrypted objects (<see cref="IEncryptedObjectStore"/>) in the application's database
    /// instead of the file system, so that several nodes share them (<see cref="EfCoreBlobStore{TContext}"/>). The
    /// DbContext must call <see cref="AddGdprBlobStore"/> and be registered with <c>AddDbContextFactory</c>; a missing
    /// call fails when the host starts (<see cref="GdprRegistrationException"/>), naming the context.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGdprBuilder UseEfCoreBlobStore<TContext>(this IGdprBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        EfCoreContextRegistration.UseStore<IBlobStore, EfCoreBlobStore<TContext>, TContext>(builder.Services, EfCoreContextRole.BlobStore);
        return builder;
    }
}
