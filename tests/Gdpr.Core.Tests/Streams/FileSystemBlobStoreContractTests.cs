using Gdpr.Streams;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Streams;

/// <summary>The file-system store runs the blob-store contract (Gdpr.Testing) the EF store and a consumer's own store run.</summary>
public sealed class FileSystemBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-blobs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    protected override IBlobStore CreateStore() => new FileSystemBlobStore(_directory);
}
