using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

public sealed class SingleContextRegistrationTests
{
    // Regression: with the key store in the application's own context, whose factory options call UseGdpr(sp), the
    // first resolution of the factory needed the engine, which needed the key store, which needed the factory: the
    // container never returned. Bounded here, so that a relapse fails instead of hanging the test run.
    [Fact]
    public async Task UseEfCoreKeyStore_OnTheContextThatUsesGdpr_ResolvesAndEncrypts()
    {
        using var database = new SqliteContactCenterDatabase();
        await using var services = ContactCenterHost.Build(database.Configure, database.KeyRingDirectory, new FakeTimeProvider(ContactCenterHost.Day0));

        var resolved = Task.Run(async () =>
        {
            await ContactCenterHost.CreateTablesAsync(services);
            var field = new FieldAddress("cust-1", "default", "Shopper.NewsletterEmail");
            var encryptor = services.GetRequiredService<IFieldEncryptor>();
            var envelope = await encryptor.EncryptValueAsync(field, "cust-1@example.org");
            return (await encryptor.DecryptValueAsync<string>(field, envelope)).Value;
        });

        Assert.Equal("cust-1@example.org", await resolved.WaitAsync(TimeSpan.FromSeconds(60)));
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym("cust-1");
        Assert.Equal(["default"], await services.GetRequiredService<ISubjectKeyStore>().GetScopesAsync(pseudonym).ToListAsync());
    }
}
