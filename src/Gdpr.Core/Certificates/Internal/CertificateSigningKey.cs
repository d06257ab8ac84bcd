using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace Gdpr.Certificates;

/// <summary>
/// The Ed25519 key that signs erasure certificates: a 32-byte private key file in the configured folder,
/// readable by the owner only (like the local key ring), or an in-memory key for tests.
/// </summary>
internal sealed class CertificateSigningKey : IDisposable
{
    internal const string PrivateKeyFileName = "erasure-signing.key";
    internal const string PublicKeyFileName = "erasure-signing.pub.pem";
    internal static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    public CertificateSigningKey(IOptions<ErasureCertificateOptions> options)
    {
        var directory = options.Value.Directory;
        var seed = GC.AllocateUninitializedArray<byte>(Algorithm.PrivateKeySize, pinned: true);
        try
        {
            if (directory is null)
            {
                // Allowed only with UseInMemoryStores(); the start-up check then logs one warning for it.
                IsEphemeral = true;
                RandomNumberGenerator.Fill(seed);
                _key = Import(seed);
            }
            else
            {
                Keys.OwnerOnlyDirectory.Create(directory);
                var path = Path.Combine(directory, PrivateKeyFileName);
                if (File.Exists(path))
                {
                    var stored = File.ReadAllBytes(path);
                    try
                    {
                        if (stored.Length != seed.Length)
                        {
                            throw new InvalidOperationException($"The certificate signing key file in {directory} is not a {seed.Length}-byte Ed25519 key.");
                        }

                        stored.CopyTo(seed, 0);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(stored);
                    }

                    _key = Import(seed);
                }
                else
                {
                    RandomNumberGenerator.Fill(seed);
                    _key = Import(seed);
                    WriteOwnerOnly(path, seed);
                }

                File.WriteAllText(Path.Combine(directory, PublicKeyFileName), PublicKeyPem);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Gets whether the key was made in memory for this process (no folder configured).</summary>
    public bool IsEphemeral { get; }

    /// <summary>Gets the public key as PEM SubjectPublicKeyInfo (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem => Encoding.ASCII.GetString(_key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    public void Dispose() => _key.Dispose();

    private static Key Import(byte[] seed)
        => Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    private static void WriteOwnerOnly(string path, byte[] seed)
    {
        var temp = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, fileOptions))
        {
            stream.Write(seed);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
    }
}
