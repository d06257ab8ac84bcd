using System.Text;
using System.Text.Json;
using Gdpr.Certificates;
using Gdpr.Core.Tests.Erasure;
using Gdpr.Erasure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;

namespace Gdpr.Core.Tests.Certificates;

public class ErasureCertificateTests
{
    private const string Subject = "cust-cert-9";

    [Fact]
    public async Task Certificate_VerifiesWithTheExportedPublicKey()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);

        Assert.True(ErasureCertificateVerifier.Verify(certificate, host.Certificates.ExportPublicKeyPem()));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", host.Certificates.ExportPublicKeyPem(), StringComparison.Ordinal);
        Assert.Equal(64, certificate.Signature.Length);
    }

    [Fact]
    public async Task Certificate_AnySingleChangedByte_FailsVerification()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);
        var pem = host.Certificates.ExportPublicKeyPem();
        var json = certificate.Json.ToArray();
        var signature = certificate.Signature.ToArray();

        for (var i = 0; i < json.Length; i++)
        {
            json[i] ^= 0x01;
            Assert.False(ErasureCertificateVerifier.Verify(json, signature, pem), $"a change at byte {i} went unnoticed");
            json[i] ^= 0x01;
        }

        for (var i = 0; i < signature.Length; i++)
        {
            signature[i] ^= 0x80;
            Assert.False(ErasureCertificateVerifier.Verify(json, signature, pem), $"a change at signature byte {i} went unnoticed");
            signature[i] ^= 0x80;
        }

        Assert.True(ErasureCertificateVerifier.Verify(json, signature, pem));
    }

    [Fact]
    public async Task Certificate_OtherSignersPublicKey_FailsVerification()
    {
        await using var host = ErasureTestHost.Create();
        await using var other = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);

        Assert.False(ErasureCertificateVerifier.Verify(certificate, other.Certificates.ExportPublicKeyPem()));
    }

    // The same certificate through a second Ed25519 implementation (BouncyCastle), reading the PEM with its own reader:
    // anyone can check a certificate without this SDK.
    [Fact]
    public async Task Certificate_VerifiesWithBouncyCastle_AndFailsThereWhenChanged()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);
        using var reader = new StringReader(host.Certificates.ExportPublicKeyPem());
        var publicKey = Assert.IsType<Ed25519PublicKeyParameters>(new PemReader(reader).ReadObject());

        Assert.True(BouncyCastleVerify(publicKey, certificate.Json.ToArray(), certificate.Signature.ToArray()));
        var changed = certificate.Json.ToArray();
        changed[changed.Length / 2] ^= 0x20;
        Assert.False(BouncyCastleVerify(publicKey, changed, certificate.Signature.ToArray()));
    }

    [Fact]
    public async Task Certificate_IsCanonicalJson_WithTheErasureFacts()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);
        var text = Encoding.UTF8.GetString(certificate.Json.Span);

        Assert.DoesNotContain(' ', text.Replace("Dutch AWR art. 52 (7-year fiscal retention)", "", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(Subject, text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(certificate.Json);
        AssertMembersInOrdinalOrder(document.RootElement);
        var root = document.RootElement;
        Assert.Equal("gdpr.erasure-certificate", root.GetProperty("type").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(host.Services.GetRequiredService<Gdpr.Keys.ISubjectKeyManager>().GetPseudonym(Subject).Value, root.GetProperty("subject").GetString());
        Assert.Equal("2026-03-02T10:00:00.0000000Z", root.GetProperty("issuedAt").GetString());
        var destroyed = root.GetProperty("destroyed").EnumerateArray().ToList();
        Assert.Equal(["default", "marketing"], destroyed.Select(d => d.GetProperty("scope").GetString()));
        Assert.All(destroyed, d => Assert.Equal(1, d.GetProperty("keyVersion").GetInt32()));
        var retained = Assert.Single(root.GetProperty("retained").EnumerateArray());
        Assert.Equal("tax", retained.GetProperty("scope").GetString());
        Assert.Equal("2033-03-02T10:00:00.0000000Z", retained.GetProperty("retainedUntil").GetString());
        Assert.Equal(Policies.TaxBasis, retained.GetProperty("legalBasis").GetString());
        Assert.Equal(0, root.GetProperty("holds").GetArrayLength());
        Assert.Equal("crm", Assert.Single(root.GetProperty("sources").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(64, root.GetProperty("audit").GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public async Task SigningKey_InConfiguredFolder_IsOwnerOnlyAndSurvivesARestart()
    {
        var directory = Directory.CreateTempSubdirectory("gdpr-cert-");
        try
        {
            string firstPem;
            SignedErasureCertificate certificate;
            await using (var first = ErasureTestHost.Create(b => b.UseCertificateSigningKey(directory.FullName)))
            {
                firstPem = first.Certificates.ExportPublicKeyPem();
                certificate = await EraseAsync(first);
            }

            var keyFile = Path.Combine(directory.FullName, "erasure-signing.key");
            Assert.Equal(32, new FileInfo(keyFile).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }

            Assert.Equal(firstPem, await File.ReadAllTextAsync(Path.Combine(directory.FullName, "erasure-signing.pub.pem")));
            await using var second = ErasureTestHost.Create(b => b.UseCertificateSigningKey(directory.FullName));
            Assert.Equal(firstPem, second.Certificates.ExportPublicKeyPem());
            Assert.True(ErasureCertificateVerifier.Verify(certificate, second.Certificates.ExportPublicKeyPem()));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Verify_NotAPublicKey_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => ErasureCertificateVerifier.Verify("{}"u8, new byte[64], "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        Assert.Equal("publicKeyPem", ex.ParamName);
    }

    [Fact]
    public async Task Verify_PemWithWindowsLineEndings_StillVerifies()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);
        var crlf = host.Certificates.ExportPublicKeyPem().Replace("\n", "\r\n", StringComparison.Ordinal);
        Assert.True(ErasureCertificateVerifier.Verify(certificate, crlf));
    }

    /// <summary>Writes the customer, erases it on day 0 and returns the certificate (tests keep the files for openssl by hand).</summary>
    internal static async Task<SignedErasureCertificate> EraseAsync(ErasureTestHost host)
    {
        await host.SeedCustomerAsync(Subject);
        var result = await host.Erasure.EraseAsync(Subject);
        Assert.True(result.IsComplete);
        return result.Certificate!;
    }

    private static bool BouncyCastleVerify(Ed25519PublicKeyParameters publicKey, byte[] data, byte[] signature)
    {
        var signer = new Ed25519Signer();
        signer.Init(forSigning: false, publicKey);
        signer.BlockUpdate(data, 0, data.Length);
        return signer.VerifySignature(signature);
    }

    private static void AssertMembersInOrdinalOrder(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            foreach (var property in element.EnumerateObject())
            {
                AssertMembersInOrdinalOrder(property.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                AssertMembersInOrdinalOrder(item);
            }
        }
    }
}
