using System.Text;
using Gdpr.Storage.EfCore.Tests.Keys;
using Gdpr.Streams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gdpr.Storage.EfCore.Tests.Streams;

/// <summary>Encrypted objects over the EF blob store, on a real SQLite file and a real PostgreSQL database.</summary>
public sealed class EfCoreBlobStoreTests(PostgresKeyStoreDatabase server) : IClassFixture<PostgresKeyStoreDatabase>
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("CALL-RECORDING-PLAINTEXT-");

    public static TheoryData<string> Providers => ["sqlite", "postgres"];

    [SkippableFact]
    public async Task TenMegabytes_OnPostgres_RoundTripAndSeek()
    {
        await using var database = BlobDatabase.Postgres(await server.CreateEmptyDatabaseAsync());
        var plaintext = new byte[10 * 1024 * 1024];
        new Random(16).NextBytes(plaintext);
        await WriteAsync(database, "call-10mb", plaintext);

        await using var read = await database.Objects.OpenReadAsync(BlobDatabase.Address("call-10mb"));
        Assert.True(read.CanSeek);
        Assert.Equal(plaintext.Length, read.Length);
        var random = new Random(17);
        var buffer = new byte[100_000];
        foreach (var offset in new long[] { plaintext.Length - 10, 0, 65_535, 262_144 - 7 }.Concat(Enumerable.Range(0, 30).Select(_ => (long)random.Next(plaintext.Length))))
        {
            read.Position = offset;
            var filled = await read.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
            Assert.Equal(Math.Min(buffer.Length, plaintext.Length - offset), filled);
            Assert.True(plaintext.AsSpan((int)offset, filled).SequenceEqual(buffer.AsSpan(0, filled)), $"bytes at offset {offset}");
        }

        read.Position = 0;
        using var all = new MemoryStream();
        await read.CopyToAsync(all);
        Assert.True(plaintext.AsSpan().SequenceEqual(all.GetBuffer().AsSpan(0, (int)all.Length)));
        Assert.Equal(41, await database.CountAsync(BlobStoreModelBuilderExtensions.ChunksTableName)); // 10 MiB and a header and tags, in 256 KiB chunks
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task StoredBytes_HoldNoPlaintext(string provider)
    {
        await using var database = await OpenAsync(provider);
        var plaintext = Enumerable.Repeat(Marker, 40_000).SelectMany(b => b).ToArray(); // 1 MB of a recognisable text
        await WriteAsync(database, "call-plain", plaintext);

        var raw = await database.ReadRawAsync();

        Assert.Equal(4, await database.CountAsync(BlobStoreModelBuilderExtensions.ChunksTableName)); // 1 MB of ciphertext in 256 KiB chunks
        Assert.True(raw.Count >= 4);
        Assert.All(raw, bytes => Assert.Equal(-1, bytes.AsSpan().IndexOf(Marker)));
        Assert.Equal(plaintext, await ReadAllAsync(database, "call-plain"));
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Delete_LeavesNoRow_AndTheObjectIsNotFound(string provider)
    {
        await using var database = await OpenAsync(provider);
        await WriteAsync(database, "call-deleted", new byte[700_000]);
        await WriteAsync(database, "call-kept", new byte[1_000]);

        Assert.True(await database.Objects.DeleteAsync("call-deleted"));

        Assert.Equal((1L, 1L), (await database.CountAsync(BlobStoreModelBuilderExtensions.BlobsTableName), await database.CountAsync(BlobStoreModelBuilderExtensions.ChunksTableName)));
        var error = await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => database.Objects.OpenReadAsync(BlobDatabase.Address("call-deleted")).AsTask());
        Assert.Equal("call-deleted", error.ObjectId);
        Assert.False(await database.Objects.DeleteAsync("call-deleted"));
        Assert.Equal(1_000, (await ReadAllAsync(database, "call-kept")).Length);
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Write_FailingMidway_LeavesNoRowAndNoObject(string provider)
    {
        // A write that fails (here: the caller gives up, as a client that disconnects mid-upload) rolls back the
        // chunks already inserted: nothing under the name, no row left behind.
        await using var database = await OpenAsync(provider);
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await using var writer = await database.Objects.OpenWriteAsync(BlobDatabase.Address("call-abandoned"));
            await writer.WriteAsync(new byte[900_000]); // three chunks inserted in the open transaction
            await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => database.Objects.OpenReadAsync(BlobDatabase.Address("call-abandoned")).AsTask());
            await cancel.CancelAsync();
            await writer.WriteAsync(new byte[300_000], cancel.Token);
        });

        Assert.Equal((0L, 0L), (await database.CountAsync(BlobStoreModelBuilderExtensions.BlobsTableName), await database.CountAsync(BlobStoreModelBuilderExtensions.ChunksTableName)));
        await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => database.Objects.OpenReadAsync(BlobDatabase.Address("call-abandoned")).AsTask());
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Read_ObjectDeletedWhileOpen_IsNotFoundNotShorter(string provider)
    {
        // An erasure may delete an object a player is streaming: the next chunk it needs is gone, and it says so.
        await using var database = await OpenAsync(provider);
        await WriteAsync(database, "call-erased", new byte[900_000]);
        await using var read = await database.Objects.OpenReadAsync(BlobDatabase.Address("call-erased"));
        var buffer = new byte[1_000];
        await read.ReadExactlyAsync(buffer);

        Assert.True(await database.Objects.DeleteAsync("call-erased"));

        read.Position = 800_000;
        var error = await Assert.ThrowsAsync<EncryptedObjectNotFoundException>(() => read.ReadExactlyAsync(buffer).AsTask());
        Assert.Equal("call-erased", error.ObjectId);
    }

    [Fact]
    public async Task Start_ContextWithoutTheBlobTables_FailsNamingTheContextAndTheCall()
    {
        using var folder = new SqliteTempFolder("gdpr-blobs-");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContextFactory<NoBlobTablesContext>((sp, o) => o.UseSqlite($"Data Source={folder.PathOf("app.db")}").UseGdpr(sp));
        builder.Services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores().UseEfCoreBlobStore<NoBlobTablesContext>();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => host.StartAsync());

        Assert.Equal(nameof(NoBlobTablesContext), error.ContextType);
        Assert.Contains(nameof(BlobStoreModelBuilderExtensions.AddGdprBlobStore), error.Message, StringComparison.Ordinal);
    }

    private static async Task WriteAsync(BlobDatabase database, string objectId, byte[] plaintext)
    {
        await using var writer = await database.Objects.OpenWriteAsync(BlobDatabase.Address(objectId));
        for (var at = 0; at < plaintext.Length; at += 100_003)
        {
            await writer.WriteAsync(plaintext.AsMemory(at, Math.Min(100_003, plaintext.Length - at)));
        }

        await writer.CompleteAsync();
    }

    private static async Task<byte[]> ReadAllAsync(BlobDatabase database, string objectId)
    {
        await using var read = await database.Objects.OpenReadAsync(BlobDatabase.Address(objectId));
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task<BlobDatabase> OpenAsync(string provider)
        => provider == "postgres" ? BlobDatabase.Postgres(await server.CreateEmptyDatabaseAsync()) : BlobDatabase.Sqlite();

    public sealed class NoBlobTablesContext(DbContextOptions<NoBlobTablesContext> options) : DbContext(options);
}
