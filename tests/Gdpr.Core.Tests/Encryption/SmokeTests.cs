using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Encryption;

public class SmokeTests
{
    [Fact]
    public async Task String_RoundTrips_And_Shred_Erases()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32]);
        await using var sp = services.BuildServiceProvider();
        var enc = sp.GetRequiredService<IFieldEncryptor>();
        var keys = sp.GetRequiredService<ISubjectKeyManager>();
        var field = new FieldAddress("cust-1", "default", "Customer.Email");
        var envelope = await enc.EncryptValueAsync(field, "a@example.org");
        var back = await enc.DecryptValueAsync<string>(field, envelope);
        Assert.Equal("a@example.org", back.Value);
        await keys.ShredAsync("cust-1", "default");
        Assert.True((await enc.DecryptValueAsync<string>(field, envelope)).IsErased);
    }
}
