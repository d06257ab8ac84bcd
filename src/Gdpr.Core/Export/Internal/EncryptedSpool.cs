using System.Security.Cryptography;

namespace Gdpr.Export;

/// <summary>
/// A temporary file that holds the ZIP manifest while the files stream into the package ahead of it. Its content is
/// encrypted (AES-256-CBC) under a key that exists only in this object's memory, so no plaintext personal data rests
/// in the temp directory, not even after a crash; the file is deleted when the spool is disposed.
/// </summary>
internal sealed class EncryptedSpool : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly Aes _aes;
    private readonly CryptoStream _writer;

    public EncryptedSpool()
    {
        var path = Path.Combine(Path.GetTempPath(), "gdpr-export-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + ".spool");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _file = new FileStream(path, options);
        _aes = Aes.Create();
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            _aes.Key = key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        // One random IV per spool: every spool has its own key, so the IV only has to be unpredictable.
        _aes.IV = RandomNumberGenerator.GetBytes(16);
        _writer = new CryptoStream(_file, _aes.CreateEncryptor(), CryptoStreamMode.Write, leaveOpen: true);
    }

    /// <summary>Gets the stream to write the plaintext to.</summary>
    public Stream Writer => _writer;

    /// <summary>Ends writing and copies the decrypted content to <paramref name="destination"/>.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        await _writer.FlushFinalBlockAsync(cancellationToken).ConfigureAwait(false);
        _file.Position = 0;
        var reader = new CryptoStream(_file, _aes.CreateDecryptor(), CryptoStreamMode.Read, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            await reader.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (CryptographicException)
        {
            // Disposing an unfinished CryptoStream pads and writes the last block; the file is deleted anyway.
        }
        finally
        {
            _aes.Dispose();
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
