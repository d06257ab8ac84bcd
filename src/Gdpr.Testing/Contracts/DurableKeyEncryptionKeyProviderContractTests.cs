using System.Security.Cryptography;
using Gdpr.Keys;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IKeyEncryptionKeyProvider"/> contract for a provider whose keys outlive one instance (a KMS, an
/// HSM, a key ring in a folder): everything <see cref="KeyEncryptionKeyProviderContractTests"/> checks, and that the
/// instances of one deployment share keys and retirements.
/// </summary>
public abstract class DurableKeyEncryptionKeyProviderContractTests : KeyEncryptionKeyProviderContractTests
{
    /// <summary>Creates another instance over the same keys (another process of the deployment).</summary>
    /// <param name="time">The clock the provider must use.</param>
    /// <returns>The instance; disposed by the test when it is <see cref="IDisposable"/>.</returns>
    protected abstract IKeyEncryptionKeyProvider CreateSecondInstance(TimeProvider time);

    /// <summary>
    /// Another instance over the same keys unwraps what this one wrapped, and after a retirement here it can unwrap
    /// it no more (GDPR Art. 17(1)).
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task SecondInstance_SharesKeysAndRetirements_Art17()
    {
        var old = await Provider.GetActiveKeyIdAsync();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = await Provider.WrapAsync(old, dataKey, AssociatedData("v1"));
        var second = CreateSecondInstance(Time);
        try
        {
            var unwrapped = new byte[32];
            await second.UnwrapAsync(old, wrapped, AssociatedData("v1"), unwrapped);
            Assert.Equal(dataKey, unwrapped);

            await Provider.CreateKeyAsync();
            await Provider.RetireKeyAsync(old);
            var third = CreateSecondInstance(Time);
            try
            {
                await Assert.ThrowsAsync<KeyUnavailableException>(async () => await third.UnwrapAsync(old, wrapped, AssociatedData("v1"), new byte[32]));
            }
            finally
            {
                (third as IDisposable)?.Dispose();
            }
        }
        finally
        {
            (second as IDisposable)?.Dispose();
        }
    }
}
