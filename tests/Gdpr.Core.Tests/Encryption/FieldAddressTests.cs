using Gdpr.Encryption.Infrastructure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.Encryption;

public class FieldAddressTests
{
    public static TheoryData<FieldEncryptionAlgorithm, string, string> Names()
    {
        var data = new TheoryData<FieldEncryptionAlgorithm, string, string>();
        foreach (var algorithm in Values.Algorithms)
        {
            data.Add(algorithm, "default", "Customer.Email");
            data.Add(algorithm, "fiscal-7y", new string('F', 2_000)); // associated data beyond the stack buffer
            data.Add(algorithm, "bewaartermijn-ß-日本", "Klant.Geboortedatum-ü");
            data.Add(algorithm, new string('s', 600), "Customer.Email");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RoundTrip_AnyScopeAndFieldName_WorksAndStaysBound(FieldEncryptionAlgorithm algorithm, string scope, string fieldName)
    {
        await using var host = GdprTestHost.Create(algorithm);
        var field = new FieldAddress("cust-names", scope, fieldName);

        var envelope = await host.Encryptor.EncryptValueAsync(field, "value");
        Assert.Equal("value", (await host.Encryptor.DecryptValueAsync<string>(field, envelope)).Value);

        var buffer = new byte[5];
        Assert.Equal(FieldReadStatus.Decrypted, host.Encryptor.TryDecrypt(field, envelope, buffer, out _));
        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await host.Encryptor.DecryptAsync(field with { Field = fieldName + "x" }, envelope));
    }

    [Fact]
    public void ToString_NamesFieldAndScope_NeverTheSubjectId()
    {
        var text = new FieldAddress("cust-secret-77", "marketing", "Customer.Email").ToString();
        Assert.Contains("Customer.Email", text, StringComparison.Ordinal);
        Assert.Contains("marketing", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cust-secret-77", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingScopeOrField_ThrowsArgumentException()
    {
        await using var host = GdprTestHost.Create();
        await host.Encryptor.PrepareAsync("cust-1", "default", forWriting: true);

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.EncryptValueAsync(new FieldAddress("cust-1", null!, "Customer.Email"), "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.EncryptValueAsync(new FieldAddress("cust-1", string.Empty, "Customer.Email"), "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Encryptor.EncryptValueAsync(new FieldAddress("cust-1", "default", null!), "x"));
        Assert.ThrowsAny<ArgumentException>(() => host.Encryptor.TryEncrypt(new FieldAddress("cust-1", "default", null!), new byte[1], new byte[200], out _));
    }
}
