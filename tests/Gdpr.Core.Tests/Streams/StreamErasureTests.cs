using Gdpr.Core.Tests.Erasure;
using Gdpr.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Streams;

/// <summary>Encrypted objects die with the erasure of their scope, through the erasure service, and only those scopes.</summary>
public class StreamErasureTests
{
    private const string Subject = "cust-4711";

    // GDPR Art. 17(1) and 17(3)(b): the marketing scope's recording goes with the erasure; the one kept under a
    // legal obligation (the tax scope, Dutch AWR art. 52) stays readable until its retention ends.
    [Fact]
    public async Task EraseAsync_DestroysTheObjectsOfDestroyedScopes_AndKeepsThoseOfRetainedScopes_Art17_3_b()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gdpr-streams-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var host = ErasureTestHost.Create(configure: b => b.UseFileSystemBlobStore(directory));
            await host.SeedCustomerAsync(Subject);
            var objects = host.Services.GetRequiredService<IEncryptedObjectStore>();
            var marketing = new EncryptedObjectAddress(Subject, Policies.Marketing, "call-marketing");
            var tax = new EncryptedObjectAddress(Subject, Policies.Tax, "call-invoice-dispute");
            foreach (var address in new[] { marketing, tax })
            {
                await using var writer = await objects.OpenWriteAsync(address);
                await writer.WriteAsync(StreamTestKit.RandomBytes(150_000));
                await writer.CompleteAsync();
            }

            var result = await host.Erasure.EraseAsync(Subject);

            Assert.Contains(result.Scopes, s => s.Scope == Policies.Marketing && s.Status == Gdpr.Erasure.ScopeErasureStatus.Destroyed);
            await Assert.ThrowsAsync<EncryptedObjectErasedException>(() => objects.OpenReadAsync(marketing).AsTask());
            await using var kept = await objects.OpenReadAsync(tax);
            Assert.Equal(150_000, kept.Length);
            Assert.Equal(StreamTestKit.RandomBytes(150_000), await ReadAllAsync(kept));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
