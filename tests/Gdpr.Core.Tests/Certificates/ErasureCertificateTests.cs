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
        Assert.Equal(2, root.GetProperty("version").GetInt32());
        Assert.Equal("erased", root.GetProperty("outcome").GetString());
        Assert.Equal("not-applicable", root.GetProperty("physicalRemoval").GetString()); // an in-memory key store has no files
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
        var source = Assert.Single(root.GetProperty("sources").EnumerateArray());
        Assert.Equal("crm", source.GetProperty("name").GetString());
        Assert.Equal(4, source.GetProperty("rowsFound").GetInt32()); // what was found, before what was done
        Assert.Equal(["default", "marketing", "tax"], source.GetProperty("scopesFound").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((1, 1), (source.GetProperty("rowsDeleted").GetInt32(), source.GetProperty("valuesReplaced").GetInt32()));
        Assert.Equal(64, root.GetProperty("audit").GetProperty("hash").GetString()!.Length);
    }

    // Art. 5(2): what the certificate states can be read back through the verifier, and only from a valid signature.
    [Fact]
    public async Task VerifyAndRead_ErasureCertificate_StatesErasedAndTheRemovalStatus_NullWhenChanged()
    {
        await using var host = ErasureTestHost.Create();
        var certificate = await EraseAsync(host);
        var pem = host.Certificates.ExportPublicKeyPem();

        var read = ErasureCertificateVerifier.VerifyAndRead(certificate.Json.Span, certificate.Signature.Span, pem);

        Assert.NotNull(read);
        Assert.Equal((2, ErasureOutcome.Erased, (Gdpr.Keys.KeyRemovalStatus?)Gdpr.Keys.KeyRemovalStatus.NotApplicable), (read.Version, read.Outcome, read.PhysicalRemoval));
        Assert.Equal(["default", "marketing"], read.DestroyedScopes);
        var changed = certificate.Json.ToArray();
        changed[^3] ^= 0x01;
        Assert.Null(ErasureCertificateVerifier.VerifyAndRead(changed, certificate.Signature.Span, pem));
    }

    // Certificates issued before format version 2 still verify and read (as an erasure, without a removal status).
    [Fact]
    public async Task VerifyAndRead_Version1Certificate_StillVerifies_AndReadsAsErasedWithoutRemovalStatus()
    {
        await using var host = ErasureTestHost.Create();
        var v1 = """{"audit":{"hash":"4f5bc8e3b18cba51c3a05049d255a08e5e212b732193cbc7dfe71d784cfa0535","sequence":2},"certificateId":"cert-0a1db98b8a410a581ca5d4e285f1ff7a","destroyed":[{"destroyedAt":"2026-11-28T08:35:08.6573872Z","keyVersion":1,"scope":"marketing"}],"erasedAt":"2026-11-28T08:35:08.5667651Z","held":[],"holds":[],"issuedAt":"2026-11-28T08:35:08.7149550Z","retained":[],"sources":[],"subject":"_TtIrHBaJKIYXEjaFaW07ARgKaysxNQtO845wenvSgE","type":"gdpr.erasure-certificate","version":1}"""u8.ToArray();
        var signature = host.Services.GetRequiredService<CertificateSigningKey>().Sign(v1);
        var pem = host.Certificates.ExportPublicKeyPem();

        Assert.True(ErasureCertificateVerifier.Verify(v1, signature, pem));
        var read = ErasureCertificateVerifier.VerifyAndRead(v1, signature, pem);

        Assert.NotNull(read);
        Assert.Equal((1, ErasureOutcome.Erased, (Gdpr.Keys.KeyRemovalStatus?)null), (read.Version, read.Outcome, read.PhysicalRemoval));
        Assert.Equal(["marketing"], read.DestroyedScopes);
    }

    [Fact]
    public async Task VerifyAndRead_ValidSignatureOverUnknownVersion_ThrowsFormatException()
    {
        await using var host = ErasureTestHost.Create();
        var v9 = """{"type":"gdpr.erasure-certificate","version":9}"""u8.ToArray();
        var signature = host.Services.GetRequiredService<CertificateSigningKey>().Sign(v9);

        var ex = Assert.Throws<FormatException>(() => ErasureCertificateVerifier.VerifyAndRead(v9, signature, host.Certificates.ExportPublicKeyPem()));
        Assert.Contains("version 9", ex.Message, StringComparison.Ordinal);
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
