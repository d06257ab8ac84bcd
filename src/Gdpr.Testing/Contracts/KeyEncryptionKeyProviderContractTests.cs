using System.Security.Cryptography;
using Gdpr.Internal;
using Gdpr.Keys;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IKeyEncryptionKeyProvider"/> contract as xunit tests: wrapping round-trips and is bound to its
/// associated data, unknown or retired KEKs fail with <see cref="KeyUnavailableException"/>, and rotation keeps the
/// old KEK usable until it is retired. Derive from it and return your provider (a KMS, an HSM) from
/// <see cref="CreateProvider"/>; the SDK's local key ring runs the same class. A provider whose keys outlive one
/// instance (a KMS, a folder) derives from <see cref="DurableKeyEncryptionKeyProviderContractTests"/> instead.
/// </summary>
/// <remarks>
/// Retiring a KEK is how an erasure reaches old backups (GDPR Art. 17(1), 5(1)(f)): a backup holds data keys wrapped
/// under the KEKs of its day, so once the KEK is retired, no key destroyed since can be unwrapped from it.
/// </remarks>
public abstract class KeyEncryptionKeyProviderContractTests
{
    private readonly Lock _createLock = new();
    private IKeyEncryptionKeyProvider? _provider;

    /// <summary>Gets the clock handed to <see cref="CreateProvider"/>; tests may advance it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Gets the provider under test, created once per test by <see cref="CreateProvider"/>.</summary>
    protected IKeyEncryptionKeyProvider Provider
    {
        get
        {
            // Once per test even when the test's own tasks ask at the same moment.
            lock (_createLock)
            {
                return _provider ??= CreateProvider(Time);
            }
        }
    }

    /// <summary>Creates the provider under test with an active KEK; call <c>Skip.If</c> here to skip with a reason.</summary>
    /// <param name="time">The clock the provider must use.</param>
    /// <returns>The provider.</returns>
    protected abstract IKeyEncryptionKeyProvider CreateProvider(TimeProvider time);

    /// <summary>The active KEK is one of the listed KEKs.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task GetActiveKeyId_IsListedInKeyIds()
    {
        var active = await Provider.GetActiveKeyIdAsync();

        Assert.False(string.IsNullOrEmpty(active));
        Assert.Contains(active, await Provider.GetKeyIdsAsync());
    }

    /// <summary>A wrapped key unwraps to the same bytes, and the wrapping does not contain them (GDPR Art. 32(1)(a)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Wrap_ThenUnwrap_ReturnsTheDataKey_Art32_1_a()
    {
        var kek = await Provider.GetActiveKeyIdAsync();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var aad = AssociatedData("v1");

        var wrapped = await Provider.WrapAsync(kek, dataKey, aad);
        var unwrapped = new byte[dataKey.Length];
        await Provider.UnwrapAsync(kek, wrapped, aad, unwrapped);

        Assert.Equal(dataKey, unwrapped);
        Assert.True(wrapped.AsSpan().IndexOf(dataKey) < 0, "The wrapped key contains the data key in the clear.");
    }

    /// <summary>Unwrapping under other associated data (another subject, scope or version) fails as an integrity error.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Unwrap_OtherAssociatedData_ThrowsIntegrityException()
    {
        var kek = await Provider.GetActiveKeyIdAsync();
        var wrapped = await Provider.WrapAsync(kek, RandomNumberGenerator.GetBytes(32), AssociatedData("v1"));

        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await Provider.UnwrapAsync(kek, wrapped, AssociatedData("v2"), new byte[32]));
    }

    /// <summary>Unwrapping an altered wrapped key fails as an integrity error.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Unwrap_AlteredWrappedKey_ThrowsIntegrityException()
    {
        var kek = await Provider.GetActiveKeyIdAsync();
        var aad = AssociatedData("v1");
        var wrapped = await Provider.WrapAsync(kek, RandomNumberGenerator.GetBytes(32), aad);
        wrapped[wrapped.Length / 2] ^= 0x01;

        await Assert.ThrowsAsync<PersonalDataIntegrityException>(async () => await Provider.UnwrapAsync(kek, wrapped, aad, new byte[32]));
    }

    /// <summary>An unknown KEK id fails with <see cref="KeyUnavailableException"/>, on wrap and on unwrap.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task UnknownKek_WrapAndUnwrap_ThrowKeyUnavailable()
    {
        var unknown = "kek-unknown-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await Provider.WrapAsync(unknown, new byte[32], AssociatedData("v1")));
        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await Provider.UnwrapAsync(unknown, new byte[80], AssociatedData("v1"), new byte[32]));
    }

    /// <summary>A new KEK becomes the active one; keys wrapped under the old one still unwrap until it is retired.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task CreateKey_BecomesActive_OldKekStillUnwraps()
    {
        var old = await Provider.GetActiveKeyIdAsync();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = await Provider.WrapAsync(old, dataKey, AssociatedData("v1"));
        Time.Advance(TimeSpan.FromDays(90));

        var created = await Provider.CreateKeyAsync();

        Assert.NotEqual(old, created);
        Assert.Equal(created, await Provider.GetActiveKeyIdAsync());
        Assert.Contains(old, await Provider.GetKeyIdsAsync());
        Assert.Contains(created, await Provider.GetKeyIdsAsync());
        var unwrapped = new byte[32];
        await Provider.UnwrapAsync(old, wrapped, AssociatedData("v1"), unwrapped);
        Assert.Equal(dataKey, unwrapped);
    }

    /// <summary>
    /// A retired KEK can unwrap nothing again and is no longer listed, which carries erasures into old backups
    /// (GDPR Art. 17(1)); the active KEK keeps working.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task RetireKey_OldKek_UnwrapsNothingAgain_Art17()
    {
        var old = await Provider.GetActiveKeyIdAsync();
        var wrapped = await Provider.WrapAsync(old, RandomNumberGenerator.GetBytes(32), AssociatedData("v1"));
        var active = await Provider.CreateKeyAsync();

        await Provider.RetireKeyAsync(old);

        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await Provider.UnwrapAsync(old, wrapped, AssociatedData("v1"), new byte[32]));
        Assert.DoesNotContain(old, await Provider.GetKeyIdsAsync());
        await Assert.ThrowsAsync<KeyUnavailableException>(async () => await Provider.WrapAsync(old, new byte[32], AssociatedData("v1")));
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var unwrapped = new byte[32];
        await Provider.UnwrapAsync(active, await Provider.WrapAsync(active, dataKey, AssociatedData("v2")), AssociatedData("v2"), unwrapped);
        Assert.Equal(dataKey, unwrapped);
    }

    /// <summary>The active KEK cannot be retired (nothing could wrap new keys): it is refused with <see cref="InvalidOperationException"/>.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task RetireKey_ActiveKek_IsRefusedAndKeepsWorking()
    {
        var active = await Provider.GetActiveKeyIdAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Provider.RetireKeyAsync(active));

        Assert.Equal(active, await Provider.GetActiveKeyIdAsync());
        Assert.NotEmpty(await Provider.WrapAsync(active, new byte[32], AssociatedData("v1")));
    }

    /// <summary>Associated data in the shape the key manager binds a wrapping to (a subject, a scope, a version).</summary>
    /// <param name="version">Text that makes it differ between calls.</param>
    /// <returns>The bytes.</returns>
    protected static byte[] AssociatedData(string version) => StrictUtf8.Encoding.GetBytes("gdpr-test|subject|scope|" + version);
}
