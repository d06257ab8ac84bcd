using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Keys;

namespace Gdpr.Core.Tests.Keys;

/// <summary>Keyed pseudonyms (Art. 4(5), Art. 32(1)(a)): stable, keyed, and free of the subject id.</summary>
public class PseudonymTests
{
    [Fact]
    public async Task GetPseudonym_SameIdAndKey_IsStableAcrossHosts()
    {
        await using var a = GdprTestHost.Create();
        await using var b = GdprTestHost.Create();

        Assert.Equal(a.Keys.GetPseudonym("cust-1"), b.Keys.GetPseudonym("cust-1"));
        Assert.NotEqual(a.Keys.GetPseudonym("cust-1"), a.Keys.GetPseudonym("cust-2"));
        Assert.NotEqual(a.Keys.GetPseudonym("cust-1"), a.Keys.GetPseudonym("Cust-1"));
    }

    [Fact]
    public async Task GetPseudonym_DifferentPseudonymKey_GivesADifferentPseudonym()
    {
        await using var a = GdprTestHost.Create();
        await using var b = GdprTestHost.Create(configure: o => o.PseudonymKey = Enumerable.Repeat((byte)0xAB, 32).ToArray());

        Assert.NotEqual(a.Keys.GetPseudonym("cust-1"), b.Keys.GetPseudonym("cust-1"));
    }

    [Fact]
    public async Task GetPseudonym_IsAnHmacNotTheIdOrAPlainHash()
    {
        await using var host = GdprTestHost.Create();
        const string Id = "jan.jansen@example.org";

        var pseudonym = host.Keys.GetPseudonym(Id).Value;

        Assert.Equal(43, pseudonym.Length); // base64url of 32 bytes, unpadded
        Assert.Matches("^[A-Za-z0-9_-]+$", pseudonym);
        Assert.DoesNotContain("jan", pseudonym, StringComparison.OrdinalIgnoreCase);
        var plainHash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Id))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.NotEqual(plainHash, pseudonym);
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(GdprTestHost.PseudonymKey, System.Text.Encoding.UTF8.GetBytes(Id))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, pseudonym);
    }

    [Fact]
    public async Task KeyStore_HoldsOnlyPseudonyms_NeverTheSubjectId()
    {
        await using var host = GdprTestHost.Create();
        const string Id = "subject-id-that-must-not-leak";
        await host.Encryptor.EncryptValueAsync(new FieldAddress(Id, "default", "Customer.Email"), "x");
        await host.Keys.ShredAsync(Id, "default");
        await host.Encryptor.EncryptValueAsync(new FieldAddress(Id, "default", "Customer.Email"), "y");

        var pseudonym = host.Keys.GetPseudonym(Id);
        var state = await host.Store.GetStateAsync(pseudonym, "default");
        Assert.Equal(pseudonym, state.Key!.Subject);
        Assert.All(await host.Store.GetTombstonesAsync(pseudonym).ToListAsync(), t => Assert.Equal(pseudonym, t.Subject));
        Assert.DoesNotContain(Id, state.Key.ToString(), StringComparison.Ordinal);
        Assert.All(host.AllLogText(), t => Assert.DoesNotContain(Id, t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PseudonymKey_ChangedAfterStart_DoesNotChangePseudonyms()
    {
        var key = (byte[])GdprTestHost.PseudonymKey.Clone();
        await using var host = GdprTestHost.Create(configure: o => o.PseudonymKey = key);
        var before = host.Keys.GetPseudonym("cust-1");

        key[0] ^= 0xff;

        Assert.Equal(before, host.Keys.GetPseudonym("cust-1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task MissingSubjectId_ThrowsArgumentException_WithoutEchoingAnything(string? subjectId)
    {
        await using var host = GdprTestHost.Create();
        var field = new FieldAddress(subjectId!, "default", "Customer.Email");
        var envelope = await host.Encryptor.EncryptValueAsync(new FieldAddress("cust-1", "default", "Customer.Email"), "secret-value");

        var errors = new List<ArgumentException>
        {
            Assert.ThrowsAny<ArgumentException>(() => host.Keys.GetPseudonym(subjectId!)),
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.EncryptValueAsync(field, "secret-value")),
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.DecryptValueAsync<string>(field, envelope)),
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.PrepareAsync(subjectId!, "default", forWriting: true)),
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Keys.ShredAsync(subjectId!, "default")),
        };

        Assert.All(errors, e =>
        {
            Assert.Equal("subjectId", e.ParamName);
            Assert.DoesNotContain("secret-value", e.Message, StringComparison.Ordinal);
            Assert.Contains("subject id", e.Message, StringComparison.OrdinalIgnoreCase);
        });
        // The span path refuses a missing subject id as the async methods do.
        Assert.ThrowsAny<ArgumentException>(() => host.Encryptor.TryEncrypt(field, new byte[1], new byte[200], out _));
    }

    [Fact]
    public async Task GetScopesAsync_MissingSubjectId_ThrowsArgumentException()
    {
        await using var host = GdprTestHost.Create();
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Keys.GetScopesAsync(string.Empty).ToListAsync());
    }
}
