using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Streams;

/// <summary>A real host with a file-system blob store in a fresh temporary folder; the folder goes with the kit.</summary>
internal sealed class StreamTestKit : IAsyncDisposable
{
    public const string Subject = "customer-42";
    public const string Scope = "recordings";

    private StreamTestKit(GdprTestHost host, string directory)
    {
        Host = host;
        Directory = directory;
    }

    public GdprTestHost Host { get; }

    /// <summary>The blob folder.</summary>
    public string Directory { get; }

    public IEncryptedObjectStore Objects => Host.Services.GetRequiredService<IEncryptedObjectStore>();

    public static StreamTestKit Create(FieldEncryptionAlgorithm algorithm = FieldEncryptionAlgorithm.Aegis256, int? segmentSize = null, string? directory = null, GdprTestHost? sharedStoresOf = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "gdpr-streams-" + Guid.NewGuid().ToString("N"));
        var host = GdprTestHost.Create(algorithm, store: sharedStoresOf?.Store, kek: sharedStoresOf?.Kek, gdpr: b => b.UseFileSystemBlobStore(directory));
        var kit = new StreamTestKit(host, directory);
        if (segmentSize is not null)
        {
            ((EncryptedObjectStore)kit.Objects).SegmentSize = segmentSize.Value;
        }

        return kit;
    }

    public static EncryptedObjectAddress Address(string objectId, string subject = Subject, string scope = Scope) => new(subject, scope, objectId);

    public static byte[] RandomBytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public string PathOf(string objectId) => Path.Combine(Directory, objectId);

    /// <summary>Writes <paramref name="plaintext"/> in uneven chunks (so segment boundaries fall inside writes) and completes.</summary>
    public async Task WriteAsync(string objectId, byte[] plaintext, string subject = Subject, string scope = Scope)
    {
        await using var writer = await Objects.OpenWriteAsync(Address(objectId, subject, scope));
        for (var at = 0; at < plaintext.Length;)
        {
            var chunk = Math.Min(plaintext.Length - at, 7_919 + (at % 3 * 10_007));
            await writer.WriteAsync(plaintext.AsMemory(at, chunk));
            at += chunk;
        }

        await writer.CompleteAsync();
    }

    public async Task<byte[]> ReadAllAsync(string objectId, string subject = Subject, string scope = Scope)
    {
        await using var reader = await Objects.OpenReadAsync(Address(objectId, subject, scope));
        var copy = new MemoryStream();
        await reader.CopyToAsync(copy);
        Assert.Equal(reader.Length, copy.Length);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
