using Gdpr.Keys;
using Moq;

namespace Gdpr.Core.Tests.TestSupport;

internal static class KeyStoreMocks
{
    /// <summary>Lets a strict key-store mock pass the start-up checks, as a store that keeps no check data would.</summary>
    public static Mock<ISubjectKeyStore> WithoutStartupChecks(this Mock<ISubjectKeyStore> store)
    {
        store.Setup(s => s.GetKeyEncryptionKeyIdsInUseAsync(It.IsAny<CancellationToken>())).ReturnsAsync((IReadOnlyList<string>?)null);
        store.Setup(s => s.AddPseudonymKeyCheckAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((string?)null);
        return store;
    }
}
